// Time-limited TURN credentials (the "TURN REST API" scheme that coturn implements with
// `use-auth-secret` / `static-auth-secret`): username = "<expiry unix seconds>:<participant id>",
// credential = base64(HMAC-SHA1(secret, username)). The TURN server checks the HMAC and the expiry
// itself, so nothing is stored here and a leaked credential dies on its own.
import crypto from 'node:crypto';
import type { IceServerInfo } from '@cloudship/shared';

export interface TurnSettings {
  turnUrls: string[];
  turnSecret: string | null;
  turnCredentialTtlMs: number;
}

export function turnCredential(secret: string, participantId: string, expiresAtMs: number): { username: string; credential: string } {
  const username = `${Math.floor(expiresAtMs / 1000)}:${participantId}`;
  const credential = crypto.createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/** The ICE servers for one participant's transports; empty when no TURN/STUN is configured. */
export function iceServersFor(settings: TurnSettings, participantId: string, now = Date.now()): IceServerInfo[] {
  const stun = settings.turnUrls.filter((u) => u.startsWith('stun'));
  const turn = settings.turnUrls.filter((u) => u.startsWith('turn'));
  const servers: IceServerInfo[] = [];
  if (stun.length > 0) servers.push({ urls: stun });
  if (turn.length > 0 && settings.turnSecret) {
    servers.push({ urls: turn, ...turnCredential(settings.turnSecret, participantId, now + settings.turnCredentialTtlMs) });
  }
  return servers;
}
