// The live signaling connections, indexed by what they were opened with, so that the end of a
// credential finds its sockets at once: by identity (`crew:<linkId>` or `account:<id>`: the
// per-identity socket cap), by inspection (withdrawing its crew links, its end), by staff account
// (its sessions ended) and by staff session (sign-out of that one session). Fed by the handshake
// (socket-server.ts) before the connection may send anything, emptied when it closes.
import type { ParticipantContext } from '../session/participant-context';

export interface LiveConnection {
  readonly ctx: ParticipantContext;
}

type Index = 'identity' | 'inspection' | 'account' | 'session';

export class ConnectionRegistry<C extends LiveConnection> {
  private readonly index = new Map<string, Set<C>>();
  private readonly live = new Set<C>();

  private static keys(ctx: ParticipantContext): string[] {
    const keys = [`identity:${ctx.identity.key}`, `inspection:${ctx.inspectionId}`];
    if ('accountId' in ctx.credential) keys.push(`account:${ctx.credential.accountId}`, `session:${ctx.credential.sessionHash}`);
    return keys;
  }

  add(c: C): void {
    if (this.live.has(c)) return;
    this.live.add(c);
    for (const key of ConnectionRegistry.keys(c.ctx)) {
      let set = this.index.get(key);
      if (!set) this.index.set(key, (set = new Set()));
      set.add(c);
    }
  }

  /** Idempotent: a connection may be released by its socket's disconnect and by its transport's close. */
  remove(c: C): void {
    if (!this.live.delete(c)) return;
    for (const key of ConnectionRegistry.keys(c.ctx)) {
      const set = this.index.get(key);
      set?.delete(c);
      if (set?.size === 0) this.index.delete(key);
    }
  }

  /** The live connections under one key of an index (a snapshot: revoking them changes the index). */
  of(index: Index, key: string): C[] {
    return [...(this.index.get(`${index}:${key}`) ?? [])];
  }

  count(index: Index, key: string): number {
    return this.index.get(`${index}:${key}`)?.size ?? 0;
  }

  get size(): number {
    return this.live.size;
  }
}
