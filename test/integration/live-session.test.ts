// The live session over real signaling: a real server on port 0, a real mediasoup worker, a real
// SQLite file, socket.io clients speaking the protocol. (Media flowing end to end through real
// browsers is proved in test/e2e.)
import type { TestServer } from '../helpers/test-server';
import { connect, connectError, ok, opusParameters, type SignalingClient, vp8Parameters } from '../helpers/signaling-client';
import { connectTransports, requestJoin, useFixture, type Fixture } from '../helpers/fixtures';

const fx = useFixture();
let server: TestServer;
let adminCookie: string;
let surveyorCookie: string;

beforeAll(async () => {
  server = fx.server;
  adminCookie = await fx.adminCookie();
  surveyorCookie = (await fx.account('surveyor', 'surveyor1')).cookie;
});

/** A signaling client, closed after the test. */
const client: Fixture['connect'] = (...args) => fx.connect(...args);

/** Runs the join sequence: capabilities -> join -> send + recv transports, connected. */
async function joinRoom(c: SignalingClient, displayName: string) {
  const joined = await requestJoin(c, displayName);
  return { joined, ...(await connectTransports(c, 'send', 'recv')) };
}

const liveInspection = () => fx.inspectionWithLink(surveyorCookie);

describe('live session signaling', () => {
  test('surveyor and crew join, produce, and each receives paused consumers of the other that resume on request', async () => {
    const { inspection, token } = await liveInspection();
    const surveyor = await client({ inspectionId: inspection.id }, surveyorCookie);
    const s = await joinRoom(surveyor, 'Surveyor Wang');
    expect(s.joined.role).toBe('surveyor');
    expect(s.joined.peers).toEqual([]);

    const crew = await client({ crewToken: token });
    const c = await joinRoom(crew, '船员 Li');
    expect(c.joined.role).toBe('crew');
    expect(c.joined.peers.map((p) => p.role)).toEqual(['surveyor']);
    const joinedEvent = await surveyor.next('peer.joined');
    expect(joinedEvent).toMatchObject({ role: 'crew', displayName: '船员 Li', state: 'connected' });

    const video = ok(
      await crew.request('produce', { transportId: c.send.id, kind: 'video', rtpParameters: vp8Parameters(1111), source: 'camera' }),
    );
    const audio = ok(
      await crew.request('produce', { transportId: c.send.id, kind: 'audio', rtpParameters: opusParameters(2222), source: 'microphone' }),
    );
    const micOfSurveyor = ok(
      await surveyor.request('produce', {
        transportId: s.send.id,
        kind: 'audio',
        rtpParameters: opusParameters(3333),
        source: 'microphone',
      }),
    );

    const videoConsumer = await surveyor.next('consumer.new', (e) => e.producerId === video.producerId);
    const audioConsumer = await surveyor.next('consumer.new', (e) => e.producerId === audio.producerId);
    const crewHears = await crew.next('consumer.new', (e) => e.producerId === micOfSurveyor.producerId);
    expect(videoConsumer).toMatchObject({ kind: 'video', source: 'camera', peerId: c.joined.participantId });
    expect(audioConsumer).toMatchObject({ kind: 'audio', source: 'microphone' });
    expect(crewHears).toMatchObject({ kind: 'audio', peerId: s.joined.participantId });

    // Consumers start paused on the server and are resumed only when the client asks.
    const room = server.rooms.get(inspection.id)!;
    const surveyorPeer = room.peers.get(s.joined.participantId)!;
    expect(surveyorPeer.consumers.get(videoConsumer.consumerId)!.paused).toBe(true);
    ok(await surveyor.request('consumer.resume', { consumerId: videoConsumer.consumerId }));
    expect(surveyorPeer.consumers.get(videoConsumer.consumerId)!.paused).toBe(false);

    // Muting the crew microphone is seen by the surveyor's consumer.
    ok(await crew.request('producer.pause', { producerId: audio.producerId }));
    await expect(surveyor.next('consumer.paused')).resolves.toEqual({ consumerId: audioConsumer.consumerId });

    const detail = await server.api('GET', `/api/inspections/${inspection.id}`, { cookie: surveyorCookie });
    expect(detail.body.inspection.status).toBe('live');
    expect(detail.body.inspection.participants.map((p: { role: string }) => p.role).sort()).toEqual(['crew', 'surveyor']);
  });

  test('a second surveyor joins the same live inspection and receives the crew camera', async () => {
    const { inspection, token } = await liveInspection();
    const expertAccount = await server.createAccount(adminCookie, 'surveyor', 'expert1');
    const expertCookie = expertAccount.cookie;
    // Only surveyors working on the inspection join it: the lead invites the expert first.
    const invited = await server.api('POST', `/api/inspections/${inspection.id}/co-surveyors`, {
      cookie: surveyorCookie,
      body: { accountId: expertAccount.id },
    });
    expect(invited.status).toBe(201);
    const crew = await client({ crewToken: token });
    const c = await joinRoom(crew, 'Crew');
    const video = ok(
      await crew.request('produce', { transportId: c.send.id, kind: 'video', rtpParameters: vp8Parameters(4444), source: 'camera' }),
    );
    const surveyor = await client({ inspectionId: inspection.id }, surveyorCookie);
    await joinRoom(surveyor, 'Surveyor');
    const expert = await client({ inspectionId: inspection.id }, expertCookie);
    const e = await joinRoom(expert, 'Expert');
    expect(e.joined.peers.map((p) => p.role).sort()).toEqual(['crew', 'surveyor']);
    await expect(surveyor.next('consumer.new', (x) => x.producerId === video.producerId)).resolves.toBeTruthy();
    await expect(expert.next('consumer.new', (x) => x.producerId === video.producerId)).resolves.toBeTruthy();
  });

  test('a dropped crew connection shows as reconnecting, and a rejoin keeps one participant', async () => {
    const { inspection, token } = await liveInspection();
    const surveyor = await client({ inspectionId: inspection.id }, surveyorCookie);
    await joinRoom(surveyor, 'Surveyor');
    const crew1 = await connect(server.url, { crewToken: token });
    const first = await joinRoom(crew1, 'Crew');
    crew1.close();
    await expect(surveyor.next('peer.state', (e) => e.state === 'reconnecting')).resolves.toEqual({
      peerId: first.joined.participantId,
      state: 'reconnecting',
    });
    const crew2 = await client({ crewToken: token });
    const second = await joinRoom(crew2, 'Crew');
    expect(second.joined.participantId).toBe(first.joined.participantId);
    await expect(surveyor.next('peer.state', (e) => e.state === 'connected')).resolves.toEqual({
      peerId: first.joined.participantId,
      state: 'connected',
    });
    const detail = await server.api('GET', `/api/inspections/${inspection.id}`, { cookie: surveyorCookie });
    expect(detail.body.inspection.participants.filter((p: { role: string }) => p.role === 'crew')).toHaveLength(1);
  });

  test('leaving is seen by the others and recorded with the leave time', async () => {
    const { inspection, token } = await liveInspection();
    const surveyor = await client({ inspectionId: inspection.id }, surveyorCookie);
    await joinRoom(surveyor, 'Surveyor');
    const crew = await client({ crewToken: token });
    const c = await joinRoom(crew, 'Crew');
    ok(await crew.request('room.leave', {}));
    await expect(surveyor.next('peer.left')).resolves.toEqual({ peerId: c.joined.participantId, reason: 'left' });
    const detail = await server.api('GET', `/api/inspections/${inspection.id}`, { cookie: surveyorCookie });
    const crewRow = detail.body.inspection.participants.find((p: { role: string }) => p.role === 'crew');
    expect(crewRow.leftAt).not.toBeNull();
    expect(crewRow.leaveReason).toBe('left');
  });

  test('ending the inspection tells everyone, cuts the crew, and the crew link stops working', async () => {
    const { inspection, token } = await liveInspection();
    const surveyor = await client({ inspectionId: inspection.id }, surveyorCookie);
    await joinRoom(surveyor, 'Surveyor');
    const crew = await client({ crewToken: token });
    await joinRoom(crew, 'Crew');
    const crewDisconnected = new Promise((resolve) => crew.socket.once('disconnect', resolve));
    ok(await surveyor.request('inspection.end', {}));
    await expect(crew.next('inspection.ended')).resolves.toEqual({ reason: 'inspection-ended' });
    await crewDisconnected;
    expect(await connectError(server.url, { crewToken: token })).toBe('INSPECTION_ENDED');
    const page = await server.api('GET', `/join/${token}`);
    expect(page.status).toBe(410);
    const detail = await server.api('GET', `/api/inspections/${inspection.id}`, { cookie: surveyorCookie });
    expect(detail.body.inspection.status).toBe('ended');
    expect(detail.body.inspection.endedAt).not.toBeNull();
    expect(detail.body.inspection.participants.every((p: { leftAt: string | null }) => p.leftAt !== null)).toBe(true);
  });

  test('a mediasoup worker that dies is replaced and its rooms are told to rejoin', async () => {
    const { inspection } = await liveInspection();
    const surveyor = await client({ inspectionId: inspection.id }, surveyorCookie);
    await joinRoom(surveyor, 'Surveyor');
    const oldPid = server.rooms.get(inspection.id)!.worker.pid;
    process.kill(oldPid, 'SIGKILL');
    await expect(surveyor.next('room.rejoin')).resolves.toEqual({ reason: 'media-server-restarted' });
    // The same socket runs the join sequence again and lands on the replacement worker.
    await joinRoom(surveyor, 'Surveyor');
    expect(server.rooms.get(inspection.id)!.worker.pid).not.toBe(oldPid);
    expect((await server.api('GET', '/healthz')).body.workers).toBe(1);
  });
});
