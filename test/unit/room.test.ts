// The live room without mediasoup: Room.create gets a fake worker whose router only has what
// join / leave / close use (rtpCapabilities, close(), closed, and the observer the room's layer
// demand listens on); anything else it is asked for throws.
// Participants are fake PeerChannels that record what they are told; the hooks record the rows a
// real room would write. Grace periods run on jest's fake timers.
import { EventEmitter } from 'node:events';
import type { Router, Worker } from 'mediasoup/types';
import type { LeaveReason, Role, ServerToClientEvents } from '@cloudship/shared';
import { MEDIA_CODECS } from '../../server/src/media/media-config';
import type { Peer, PeerChannel, PeerIdentity } from '../../server/src/session/peer';
import { Room, type RoomHooks } from '../../server/src/session/room';

const GRACE_MS = 5_000;
const RTP_CAPABILITIES = { codecs: [], headerExtensions: [] };

class FakeRouter {
  readonly rtpCapabilities = RTP_CAPABILITIES;
  /** No transport is ever created here, so it never emits. */
  readonly observer = new EventEmitter();
  closed = false;
  closeCalls = 0;
  close(): void {
    this.closeCalls++;
    this.closed = true;
  }
  createWebRtcTransport(): never {
    throw new Error('a unit test room must not create transports');
  }
}

function fakeWorker(router: FakeRouter) {
  const createRouter = jest.fn(async (_options: unknown) => router as unknown as Router);
  return { worker: { pid: 4242, createRouter } as unknown as Worker, createRouter };
}

class FakeHooks implements RoomHooks {
  readonly joined: Array<{ inspectionId: string; identityKey: string; displayName: string; device: string }> = [];
  readonly left: Array<[participantId: string, reason: LeaveReason]> = [];
  readonly wentLive: string[] = [];
  async participantJoined(p: { inspectionId: string; identity: PeerIdentity; displayName: string; device: string }): Promise<string> {
    this.joined.push({ inspectionId: p.inspectionId, identityKey: p.identity.key, displayName: p.displayName, device: p.device });
    return `participant-${this.joined.length}`;
  }
  async participantLeft(participantId: string, reason: LeaveReason): Promise<void> {
    this.left.push([participantId, reason]);
  }
  readonly replaced: Array<{ stayId: string; device: string }> = [];
  async participantReplaced(p: { stayId: string; device: string }): Promise<string> {
    this.replaced.push({ stayId: p.stayId, device: p.device });
    return `stay-${this.replaced.length}`;
  }
  async roomWentLive(inspectionId: string): Promise<void> {
    this.wentLive.push(inspectionId);
  }
  // Room.create is called directly here; the registry asks this before creating a room.
  async assertMayOpen(): Promise<void> {}
}

class FakeChannel implements PeerChannel {
  readonly received: Array<{ event: keyof ServerToClientEvents; payload: unknown }> = [];
  disconnects = 0;
  /** What answers() says: a phone whose network went away does not answer. */
  answering = true;
  async answers(): Promise<boolean> {
    return this.answering;
  }
  notify<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    this.received.push({ event, payload: args[0] });
  }
  disconnect(): void {
    this.disconnects++;
  }
  /** The payloads of every `event` received, in order. */
  of<E extends keyof ServerToClientEvents>(event: E): Array<Parameters<ServerToClientEvents[E]>[0]> {
    return this.received.filter((r) => r.event === event).map((r) => r.payload as Parameters<ServerToClientEvents[E]>[0]);
  }
  events(): string[] {
    return this.received.map((r) => r.event);
  }
}

function identity(role: Role, key: string): PeerIdentity {
  return role === 'crew'
    ? { key: `crew:${key}`, role, accountId: null, crewLinkId: key }
    : { key: `account:${key}`, role, accountId: key, crewLinkId: null };
}

let router: FakeRouter;
let hooks: FakeHooks;
let room: Room;
let createRouter: jest.Mock;

beforeEach(async () => {
  router = new FakeRouter();
  hooks = new FakeHooks();
  const fake = fakeWorker(router);
  createRouter = fake.createRouter;
  room = await Room.create({
    inspectionId: 'insp-1',
    worker: fake.worker,
    transportOptions: { listenInfos: [] },
    reconnectGraceMs: GRACE_MS,
    hooks,
  });
});

afterEach(() => {
  jest.useRealTimers();
});

async function join(
  role: Role,
  key: string,
  displayName = key,
  channel = new FakeChannel(),
  extra: { device?: string; takeOver?: boolean } = {},
): Promise<{ peer: Peer; channel: FakeChannel; peers: unknown[] }> {
  const { peer, result } = await room.join(identity(role, key), channel, {
    displayName,
    device: 'unit',
    rtpCapabilities: RTP_CAPABILITIES,
    ...extra,
  });
  expect(result).toMatchObject({ participantId: peer.id, role });
  return { peer, channel, peers: result.peers };
}

describe('Room.create', () => {
  test('asks the worker for exactly one router with the media codecs, and starts open and empty', () => {
    expect(createRouter).toHaveBeenCalledTimes(1);
    expect(createRouter).toHaveBeenCalledWith({ mediaCodecs: MEDIA_CODECS });
    expect(room.router).toBe(router);
    expect(room.closed).toBe(false);
    expect(room.peers.size).toBe(0);
  });
});

describe('join', () => {
  test('the first participant is written once and takes the room live once; it is told of no other peer', async () => {
    const joinedEvents: Array<[string, boolean]> = [];
    room.on('peerJoined', (peer, rejoined) => joinedEvents.push([peer.id, rejoined]));
    const surveyor = await join('surveyor', 's1', 'Wang');
    expect(hooks.joined).toEqual([{ inspectionId: 'insp-1', identityKey: 'account:s1', displayName: 'Wang', device: 'unit' }]);
    expect(hooks.wentLive).toEqual(['insp-1']);
    expect(surveyor.peer.id).toBe('participant-1');
    expect(surveyor.peers).toEqual([]);
    expect(room.peers.get('participant-1')).toBe(surveyor.peer);
    expect(joinedEvents).toEqual([['participant-1', false]]);
    // Nobody else to tell, and the joiner is not told about itself.
    expect(surveyor.channel.received).toEqual([]);
  });

  test('a second participant is written once, announced to the others with peer.joined, and does not take the room live again', async () => {
    const surveyor = await join('surveyor', 's1', 'Wang');
    const crew = await join('crew', 'link-1', 'Li');
    expect(hooks.joined.map((j) => j.identityKey)).toEqual(['account:s1', 'crew:link-1']);
    expect(hooks.wentLive).toEqual(['insp-1']);
    expect(surveyor.channel.of('peer.joined')).toEqual([
      { id: crew.peer.id, role: 'crew', displayName: 'Li', state: 'connected', producers: [] },
    ]);
    expect(crew.channel.received).toEqual([]);
    expect(crew.peers).toEqual([expect.objectContaining({ id: surveyor.peer.id, role: 'surveyor', state: 'connected' })]);
  });

  test('a rejoin with the same identity keeps the peer id, disconnects the previous channel, writes no second row, and the others see it connected again', async () => {
    const surveyor = await join('surveyor', 's1');
    const first = await join('crew', 'link-1', 'Li');
    const rejoins: boolean[] = [];
    room.on('peerJoined', (_peer, rejoined) => rejoins.push(rejoined));
    room.connectionLost(first.peer);
    expect(surveyor.channel.of('peer.state')).toEqual([{ peerId: first.peer.id, state: 'reconnecting' }]);

    const second = await join('crew', 'link-1', 'Li again');
    expect(second.peer).toBe(first.peer);
    expect(second.peer.id).toBe(first.peer.id);
    expect(first.channel.disconnects).toBe(1);
    expect(second.channel.disconnects).toBe(0);
    expect(second.peer.channel).toBe(second.channel);
    expect(second.peer.displayName).toBe('Li again');
    expect(hooks.joined).toHaveLength(2); // the surveyor's row and the crew's first: no second crew row
    expect(hooks.left).toEqual([]);
    expect(rejoins).toEqual([true]);
    expect(room.peers.size).toBe(2);
    expect(surveyor.channel.of('peer.state')).toEqual([
      { peerId: first.peer.id, state: 'reconnecting' },
      { peerId: first.peer.id, state: 'connected' },
    ]);
    // What the room says to the participant from now on goes to the new connection only.
    room.broadcast('room.rejoin', { reason: 'test' });
    expect(second.channel.of('room.rejoin')).toEqual([{ reason: 'test' }]);
    expect(first.channel.of('room.rejoin')).toEqual([]);
  });

  test('a second tab of a connected staff member takes the peer over without a state change', async () => {
    const crew = await join('crew', 'link-1');
    const first = await join('surveyor', 's1');
    const second = await join('surveyor', 's1');
    expect(second.peer).toBe(first.peer);
    expect(first.channel.disconnects).toBe(1);
    expect(first.channel.of('session.replaced')).toEqual([]);
    expect(crew.channel.of('peer.state')).toEqual([]);
    expect(hooks.joined).toHaveLength(2);
  });

  test('a second phone on a crew link that is connected and answering is refused with SEAT_TAKEN, and nothing changes', async () => {
    const surveyor = await join('surveyor', 's1');
    const first = await join('crew', 'link-1');
    await expect(join('crew', 'link-1', 'other phone')).rejects.toMatchObject({
      code: 'SEAT_TAKEN',
      message: 'A phone is already connected with this link.',
    });
    expect(first.peer.channel).toBe(first.channel);
    expect(first.channel.disconnects).toBe(0);
    expect(hooks.joined).toHaveLength(2);
    expect(surveyor.channel.received).toEqual([{ event: 'peer.joined', payload: expect.objectContaining({ id: first.peer.id }) }]);
  });

  test('takeOver replaces the first phone: it is told session.replaced and disconnected, the staff see the device change, the log gets a row', async () => {
    const surveyor = await join('surveyor', 's1');
    const first = await join('crew', 'link-1', 'Li', new FakeChannel(), { device: 'phone A' });
    const second = await join('crew', 'link-1', 'Li', new FakeChannel(), { device: 'phone B', takeOver: true });
    expect(second.peer).toBe(first.peer);
    expect(first.channel.of('session.replaced')).toEqual([{ reason: 'taken-over' }]);
    expect(first.channel.disconnects).toBe(1);
    expect(second.peer.channel).toBe(second.channel);
    expect(second.peer.device).toBe('phone B');
    expect(surveyor.channel.of('peer.deviceChanged')).toEqual([{ peerId: first.peer.id, device: 'phone B' }]);
    expect(second.channel.of('peer.deviceChanged')).toEqual([]);
    expect(hooks.replaced).toEqual([{ stayId: first.peer.id, device: 'phone B' }]);
    expect(second.peer.stayId).toBe('stay-1');
    // Its leave closes the new device's row.
    await room.leave(second.peer, 'left');
    expect(hooks.left).toEqual([['stay-1', 'left']]);
  });

  test('a crew phone whose old connection no longer answers (network change) rejoins without takeOver', async () => {
    await join('surveyor', 's1');
    const first = await join('crew', 'link-1');
    first.channel.answering = false;
    const second = await join('crew', 'link-1');
    expect(second.peer).toBe(first.peer);
    expect(first.channel.disconnects).toBe(1);
    expect(first.channel.of('session.replaced')).toEqual([]);
    expect(hooks.replaced).toEqual([]);
  });

  test('fifteen joins of one crew identity at once seat it once: one row, the others refused', async () => {
    await join('surveyor', 's1');
    const results = await Promise.allSettled(
      Array.from({ length: 15 }, () =>
        room.join(identity('crew', 'link-1'), new FakeChannel(), { displayName: 'Li', device: 'unit', rtpCapabilities: RTP_CAPABILITIES }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'SEAT_TAKEN' });
    expect(hooks.joined.filter((j) => j.identityKey === 'crew:link-1')).toHaveLength(1);
    expect(room.peers.size).toBe(2);
  });

  test('the participant cap holds against joins racing each other', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        room.join(identity('crew', `link-${i}`), new FakeChannel(), {
          displayName: `${i}`,
          device: 'unit',
          rtpCapabilities: RTP_CAPABILITIES,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(12);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'LIMIT_REACHED' });
    expect(room.peers.size).toBe(12);
    expect(hooks.joined).toHaveLength(12);
  });

  test('joining a closed room is refused with INSPECTION_ENDED and writes nothing', async () => {
    await room.close('inspection-ended');
    await expect(join('crew', 'link-1')).rejects.toMatchObject({ code: 'INSPECTION_ENDED' });
    expect(hooks.joined).toEqual([]);
    expect(hooks.wentLive).toEqual([]);
  });
});

describe('grace period', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  });

  test('a lost connection shows the peer as reconnecting; after reconnectGraceMs it leaves with reason connection-lost', async () => {
    const surveyor = await join('surveyor', 's1');
    const crew = await join('crew', 'link-1');
    const leaves: Array<[string, LeaveReason]> = [];
    room.on('peerLeft', (peer, reason) => leaves.push([peer.id, reason]));
    room.connectionLost(crew.peer);
    expect(surveyor.channel.of('peer.state')).toEqual([{ peerId: crew.peer.id, state: 'reconnecting' }]);
    expect(crew.peer.inGrace).toBe(true);

    await jest.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(room.peers.has(crew.peer.id)).toBe(true);
    expect(surveyor.channel.of('peer.left')).toEqual([]);

    await jest.advanceTimersByTimeAsync(1);
    expect(room.peers.has(crew.peer.id)).toBe(false);
    expect(crew.peer.closed).toBe(true);
    expect(surveyor.channel.of('peer.left')).toEqual([{ peerId: crew.peer.id, reason: 'connection-lost' }]);
    expect(hooks.left).toEqual([[crew.peer.id, 'connection-lost']]);
    expect(leaves).toEqual([[crew.peer.id, 'connection-lost']]);
  });

  test('a rejoin within the grace period cancels the leave', async () => {
    const surveyor = await join('surveyor', 's1');
    const crew = await join('crew', 'link-1');
    room.connectionLost(crew.peer);
    await jest.advanceTimersByTimeAsync(GRACE_MS - 1);
    const again = await join('crew', 'link-1');
    expect(again.peer).toBe(crew.peer);
    expect(again.peer.inGrace).toBe(false);

    await jest.advanceTimersByTimeAsync(GRACE_MS * 3);
    expect(room.peers.get(crew.peer.id)).toBe(crew.peer);
    expect(crew.peer.closed).toBe(false);
    expect(surveyor.channel.of('peer.left')).toEqual([]);
    expect(hooks.left).toEqual([]);
    expect(surveyor.channel.of('peer.state').map((e) => e.state)).toEqual(['reconnecting', 'connected']);
  });

  test('media interrupted while the signalling holds shows reconnecting then connected; during a grace period it changes nothing', async () => {
    const surveyor = await join('surveyor', 's1');
    const crew = await join('crew', 'link-1');
    room.setMediaInterrupted(crew.peer, true);
    room.setMediaInterrupted(crew.peer, true); // no change, no second event
    room.setMediaInterrupted(crew.peer, false);
    expect(surveyor.channel.of('peer.state')).toEqual([
      { peerId: crew.peer.id, state: 'reconnecting' },
      { peerId: crew.peer.id, state: 'connected' },
    ]);
    room.connectionLost(crew.peer);
    room.setMediaInterrupted(crew.peer, false);
    expect(crew.peer.state).toBe('reconnecting');
    expect(surveyor.channel.of('peer.state')).toHaveLength(3);
  });
});

describe('leave', () => {
  test('leaving tells the others peer.left with reason left and records the leave; leaving again does nothing', async () => {
    const surveyor = await join('surveyor', 's1');
    const crew = await join('crew', 'link-1');
    const leaves: Array<[string, LeaveReason]> = [];
    room.on('peerLeft', (peer, reason) => leaves.push([peer.id, reason]));
    await room.leave(crew.peer, 'left');
    expect(surveyor.channel.of('peer.left')).toEqual([{ peerId: crew.peer.id, reason: 'left' }]);
    expect(crew.channel.of('peer.left')).toEqual([]);
    expect(hooks.left).toEqual([[crew.peer.id, 'left']]);
    expect(leaves).toEqual([[crew.peer.id, 'left']]);
    expect(room.peers.has(crew.peer.id)).toBe(false);
    expect(crew.peer.state).toBe('gone');

    await room.leave(crew.peer, 'left');
    expect(hooks.left).toHaveLength(1);
    expect(surveyor.channel.of('peer.left')).toHaveLength(1);
  });

  test('a participant who left is no longer sent anything, and rejoining makes a new participant', async () => {
    const surveyor = await join('surveyor', 's1');
    const crew = await join('crew', 'link-1');
    await room.leave(crew.peer, 'left');
    room.broadcast('room.rejoin', { reason: 'test' });
    expect(crew.channel.of('room.rejoin')).toEqual([]);
    const back = await join('crew', 'link-1');
    expect(back.peer.id).not.toBe(crew.peer.id);
    expect(hooks.joined).toHaveLength(3);
    expect(surveyor.channel.of('peer.joined').map((p) => p.id)).toEqual([crew.peer.id, back.peer.id]);
  });
});

describe('close', () => {
  test("close('inspection-ended') tells everyone inspection.ended, disconnects no one (revocation does), closes the router and records every leave; a second close does nothing", async () => {
    const surveyor = await join('surveyor', 's1');
    const admin = await join('admin', 'a1');
    const crew = await join('crew', 'link-1');
    const closes: string[] = [];
    room.on('close', (reason) => closes.push(reason));
    await room.close('inspection-ended');

    for (const p of [surveyor, admin, crew]) expect(p.channel.of('inspection.ended')).toEqual([{ reason: 'inspection-ended' }]);
    // The crew's sockets are closed by the revocation, after `session.revoked` (trust-revocation test).
    for (const p of [surveyor, admin, crew]) expect(p.channel.disconnects).toBe(0);
    expect(router.closeCalls).toBe(1);
    expect(room.closed).toBe(true);
    expect(room.peers.size).toBe(0);
    expect([surveyor, admin, crew].every((p) => p.peer.closed)).toBe(true);
    expect(hooks.left.sort()).toEqual(
      [
        [surveyor.peer.id, 'inspection-ended'],
        [admin.peer.id, 'inspection-ended'],
        [crew.peer.id, 'inspection-ended'],
      ].sort(),
    );
    expect(closes).toEqual(['inspection-ended']);
    // Nobody is told twice that somebody left: the close says it all.
    expect(surveyor.channel.of('peer.left')).toEqual([]);

    await room.close('inspection-ended');
    await room.close('media-server-restarted');
    expect(router.closeCalls).toBe(1);
    expect(hooks.left).toHaveLength(3);
    expect(closes).toEqual(['inspection-ended']);
    expect(surveyor.channel.received.filter((r) => r.event === 'inspection.ended' || r.event === 'room.rejoin')).toHaveLength(1);
  });

  test("close('media-server-restarted') tells everyone room.rejoin and disconnects no one", async () => {
    const surveyor = await join('surveyor', 's1');
    const crew = await join('crew', 'link-1');
    await room.close('media-server-restarted');
    for (const p of [surveyor, crew]) {
      expect(p.channel.of('room.rejoin')).toEqual([{ reason: 'media-server-restarted' }]);
      expect(p.channel.of('inspection.ended')).toEqual([]);
      expect(p.channel.disconnects).toBe(0);
    }
    expect(router.closed).toBe(true);
    expect(hooks.left.map(([, reason]) => reason)).toEqual(['media-server-restarted', 'media-server-restarted']);
  });

  test('a router that is already closed (its worker died) is not closed again', async () => {
    router.closed = true;
    await room.close('media-server-restarted');
    expect(router.closeCalls).toBe(0);
    expect(room.closed).toBe(true);
  });
});

describe('broadcast', () => {
  async function everyone() {
    return {
      surveyor: await join('surveyor', 's1'),
      admin: await join('admin', 'a1'),
      crew: await join('crew', 'link-1'),
    };
  }
  const names = (all: Record<string, { channel: FakeChannel }>) =>
    Object.entries(all)
      .filter(([, p]) => p.channel.of('position.update').length > 0)
      .map(([name]) => name)
      .sort();
  const UPDATE = { peerId: 'x', lat: 1, lon: 2, accuracy: 3, timestamp: 0, distanceKm: null, warn: false, warnKm: 5 } as never;

  test('without a filter it reaches every joined participant and returns how many', async () => {
    const all = await everyone();
    expect(room.broadcast('position.update', UPDATE)).toBe(3);
    expect(names(all)).toEqual(['admin', 'crew', 'surveyor']);
  });

  test('except leaves that one participant out', async () => {
    const all = await everyone();
    expect(room.broadcast('position.update', UPDATE, { except: all.crew.peer })).toBe(2);
    expect(names(all)).toEqual(['admin', 'surveyor']);
  });

  test('a role filter reaches that role only', async () => {
    const all = await everyone();
    expect(room.broadcast('position.update', UPDATE, { role: 'crew' })).toBe(1);
    expect(names(all)).toEqual(['crew']);
  });

  test('a permission filter reaches only the roles that hold the permission', async () => {
    const all = await everyone();
    expect(room.broadcast('position.update', UPDATE, { permission: 'position.view' })).toBe(2);
    expect(names(all)).toEqual(['admin', 'surveyor']);
  });

  test('filters combine: permission and role and except must all let a participant through', async () => {
    const all = await everyone();
    const second = await join('surveyor', 's2');
    expect(room.broadcast('position.update', UPDATE, { permission: 'camera.control', role: 'surveyor', except: all.surveyor.peer })).toBe(
      1,
    );
    expect(names({ ...all, second })).toEqual(['second']);
  });

  test('a participant who left is not reached', async () => {
    const all = await everyone();
    await room.leave(all.admin.peer, 'left');
    expect(room.broadcast('position.update', UPDATE)).toBe(2);
    expect(names(all)).toEqual(['crew', 'surveyor']);
  });
});

describe('empty room', () => {
  beforeEach(async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    // A room made under the fake clock, so that its empty-room timer is one too.
    room = await Room.create({
      inspectionId: 'insp-2',
      worker: fakeWorker(router).worker,
      transportOptions: { listenInfos: [] },
      reconnectGraceMs: GRACE_MS,
      hooks,
    });
  });

  test('a room nobody joins closes with reason empty after the reconnect grace', async () => {
    const reasons: string[] = [];
    room.on('close', (reason) => reasons.push(reason));
    await jest.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(room.closed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(room.closed).toBe(true);
    expect(reasons).toEqual(['empty']);
  });

  test('the last one leaving starts the countdown; someone joining within it keeps the room', async () => {
    const a = await join('surveyor', 's1');
    await jest.advanceTimersByTimeAsync(GRACE_MS * 2);
    expect(room.closed).toBe(false); // occupied: no countdown
    await room.leave(a.peer, 'left');
    await jest.advanceTimersByTimeAsync(GRACE_MS - 1);
    await join('crew', 'link-1');
    await jest.advanceTimersByTimeAsync(GRACE_MS * 2);
    expect(room.closed).toBe(false);
  });
});
