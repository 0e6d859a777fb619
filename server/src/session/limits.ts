// The caps of a live session, in one place. Each is refused with LIMIT_REACHED (HTTP 409) and a
// message naming it, or, where nobody asked (a consumer the server would create), skipped and
// logged. Constants, not settings: they bound what one participant or one link can make the
// server hold, and none needs tuning per deployment (one that ever does moves to config.ts).
export const LIMITS = {
  /**
   * Signaling sockets open at once per identity (a crew link, or a staff account across its tabs
   * and sessions). A phone needs one; a network change can leave a stale one for up to the ping
   * timeout (20 s) while the new one connects; a third covers a reload during that. Checked at the
   * handshake: the next one is refused before it can send anything.
   */
  socketsPerIdentity: 3,
  /**
   * Participants in one live room: the surveyor, co-surveyors, admins and crew phones. A router on
   * one worker forwards every producer to every other participant (n^2 consumers), and a room of
   * 12 stays well inside one worker's capacity (README, bench:capacity).
   */
  participantsPerRoom: 12,
  /** WebRTC transports per participant: one per direction, a new one replaces the old. */
  transportsPerParticipant: 2,
  /** Producers per participant and media source (camera, microphone): a second one is refused. */
  producersPerSource: 1,
  /**
   * Consumers per participant. 11 others x 2 sources = 22 in a full room; the margin is for
   * consumers adopted by benchmarks. Beyond it the server creates no more (logged).
   */
  consumersPerParticipant: 30,
} as const;

/**
 * How long a seat-holding connection gets to answer a ping before a new join of the same identity
 * treats it as gone (a phone that changed networks: its old socket is dead but not yet timed out).
 */
export const SEAT_PROBE_TIMEOUT_MS = 1_500;

/**
 * A live socket's credential (crew link, staff session) is re-read from the database at most this
 * often, on the next request after it; revocations reach the socket at once through events, this
 * only catches what no event said (a row changed by hand, a missed interleaving).
 */
export const CREDENTIAL_RECHECK_MS = 30_000;
