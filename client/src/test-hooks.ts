// `window.cloudship`: what browser tests (and a curious engineer in the console) can reach.
//
//   window.cloudship.session         the current LiveSession, or null before joining
//   window.cloudship.inboundStats()  inbound-rtp numbers of every live consumer (see InboundStat)
import type { InboundStat, LiveSession } from './live-session';

export interface CloudshipHooks {
  session: LiveSession | null;
  inboundStats(): Promise<InboundStat[]>;
}

declare global {
  interface Window {
    cloudship: CloudshipHooks;
  }
}

export function exposeSession(session: LiveSession | null): void {
  window.cloudship = {
    session,
    inboundStats: () => (session ? session.inboundStats() : Promise.resolve([])),
  };
}
