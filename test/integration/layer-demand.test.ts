// Only what is consumed is sent (server/src/session/layer-demand.ts), over real signaling and a
// real worker: the crew's simulcast camera (a producer fed over a PlainTransport, three
// encodings) is consumed by surveyors' WebRTC consumers and the recorder; the crew phone is told
// which encodings anyone consumes ('producer.layers'): layer 0 always, the others while someone
// wants them, turned on at once and off only after the demand has settled (OFF_DELAY_MS).
import type { Producer } from 'mediasoup/types';
import type { TestServer } from '../helpers/test-server';
import { connectTransports, useFixture, type Joined } from '../helpers/fixtures';
import { ok } from '../helpers/signaling-client';
import type { Room } from '../../server/src/session/room';
import { OFF_DELAY_MS } from '../../server/src/session/layer-demand';

jest.setTimeout(60_000);

const fx = useFixture();
let server: TestServer;
let surveyorCookie: string;

beforeAll(async () => {
  server = fx.server;
  surveyorCookie = (await fx.account('surveyor', 'layers')).cookie;
});

type AnyAck = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };
const refusedWith = (ack: AnyAck) => (ack.ok ? `ok ${JSON.stringify(ack.data)}` : ack.error.code);

/**
 * A live session whose crew sends a three-layer simulcast camera (no RTP: only the demand
 * matters). `recorder` resolves once the recorder's consumer of the camera exists.
 */
async function session(): Promise<{ room: Room; crew: Joined; camera: Producer; inspectionId: string; recorder: Promise<void> }> {
  const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
  const crew = await fx.joinAsCrew(token, 'Li');
  const room = server.rooms.get(inspection.id)!;
  const transport = await room.router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    rtcpMux: true,
    comedia: true,
  });
  const camera = await transport.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
      encodings: [{ ssrc: 1101 }, { ssrc: 1102 }, { ssrc: 1103 }],
    },
    appData: { source: 'camera' },
  });
  // The recorder consumes over a PlainTransport of its own, made once the camera is adopted.
  const recorder = new Promise<void>((resolve) =>
    room.router.observer.on('newtransport', (t) => t.observer.on('newconsumer', (c) => c.producerId === camera.id && resolve())),
  );
  await room.adoptProducer(room.peers.get(crew.participantId)!, camera as Producer<{ source: 'camera' }>);
  return { room, crew, camera, inspectionId: inspection.id, recorder };
}

/** A staff member joined with a receive transport; resolves with its consumer of the crew camera. */
async function watcher(inspectionId: string, cookie: string, name: string): Promise<{ staff: Joined; consumerId: string }> {
  const staff = await fx.joinAsStaff(inspectionId, cookie, name);
  await connectTransports(staff.c, 'recv');
  const video = await staff.c.next('consumer.new', (c) => c.kind === 'video');
  return { staff, consumerId: video.consumerId };
}

const layersEvent = (crew: Joined, camera: Producer, active: boolean[], timeoutMs?: number) =>
  crew.c.next('producer.layers', (e) => e.producerId === camera.id && JSON.stringify(e.active) === JSON.stringify(active), { timeoutMs });

test('a surveyor and the recorder watching the top layer: the middle one is turned off, the lowest stays', async () => {
  const { room, crew, camera, inspectionId, recorder } = await session();
  await recorder;
  // The recorder consumes the camera (recording is on by default) and wants the top layer.
  expect(room.layers.wanted(camera.id)).toEqual([true, false, true]);
  await watcher(inspectionId, surveyorCookie, 'Wang');
  expect(room.layers.wanted(camera.id)).toEqual([true, false, true]);
  const off = await layersEvent(crew, camera, [true, false, true], OFF_DELAY_MS + 5_000);
  expect(off.active).toEqual([true, false, true]);
});

test('a small tile asks for a lower layer; the top one goes off when nobody wants it, and a second surveyor turns it on again', async () => {
  const { room, crew, camera, inspectionId } = await session();
  const { staff, consumerId } = await watcher(inspectionId, surveyorCookie, 'Wang');
  // Without the recording only the surveyors count (the recorder fed no RTP here would restart).
  ok(await staff.c.request('recording.stop', {}));
  expect(room.layers.wanted(camera.id)).toEqual([true, false, true]);

  // The surveyor's picture is shown small: layer 0; after the delay only layer 0 is sent.
  ok(await staff.c.request('consumer.setLayer', { consumerId, spatialLayer: 0 }));
  expect(room.layers.wanted(camera.id)).toEqual([true, false, false]);
  await layersEvent(crew, camera, [true, false, false], OFF_DELAY_MS + 5_000);
  // A tile of the middle size: that layer is turned on at once.
  ok(await staff.c.request('consumer.setLayer', { consumerId, spatialLayer: 1 }));
  await layersEvent(crew, camera, [true, true, false], 2_000);

  // A second surveyor joins, full size by default: the top layer is back within 2 s.
  const asked = Date.now();
  await watcher(inspectionId, await fx.adminCookie(), 'Admin');
  await layersEvent(crew, camera, [true, true, true], 2_000);
  console.log(`top layer announced again ${Date.now() - asked} ms after the second surveyor joined`);
});

test('consumer.setLayer refuses absurd layers, other people consumers and consumers without layers, and changes nothing', async () => {
  const { room, crew, camera, inspectionId } = await session();
  const { staff, consumerId } = await watcher(inspectionId, surveyorCookie, 'Wang');
  const before = room.layers.wanted(camera.id);
  const audioConsumer = await (async () => {
    // The crew's microphone: a consumer with no simulcast layers.
    const t = await room.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    const mic = await t.produce({
      kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1201 }] },
      appData: { source: 'microphone' },
    });
    await room.adoptProducer(room.peers.get(crew.participantId)!, mic as Producer<{ source: 'microphone' }>);
    return (await staff.c.next('consumer.new', (c) => c.kind === 'audio')).consumerId;
  })();

  for (const spatialLayer of [3, -1, 1.5, '2', null]) {
    expect(refusedWith(await staff.c.request('consumer.setLayer', { consumerId, spatialLayer }))).toBe('BAD_REQUEST');
  }
  expect(refusedWith(await staff.c.request('consumer.setLayer', { consumerId, spatialLayer: 1, extra: true }))).toBe('BAD_REQUEST');
  expect(refusedWith(await staff.c.request('consumer.setLayer', { consumerId: 'no-such-consumer', spatialLayer: 1 }))).toBe('NOT_FOUND');
  // The crew cannot steer a surveyor's consumer.
  expect(refusedWith(await crew.c.request('consumer.setLayer', { consumerId, spatialLayer: 0 }))).toBe('NOT_FOUND');
  expect(refusedWith(await staff.c.request('consumer.setLayer', { consumerId: audioConsumer, spatialLayer: 0 }))).toBe('INVALID_STATE');
  expect(room.layers.wanted(camera.id)).toEqual(before);
});

test("the crew's data saver: no consumer prefers the top layer, staff are told, only the crew may set it", async () => {
  const { room, crew, camera, inspectionId, recorder } = await session();
  await recorder;
  const { staff } = await watcher(inspectionId, surveyorCookie, 'Wang');
  // The recorder and the surveyor want the top layer (full size by default).
  expect(room.layers.wanted(camera.id)).toEqual([true, false, true]);

  // On joining, staff heard it was off.
  expect((await staff.c.next('video.dataSaver', (e) => e.peerId === crew.participantId)).on).toBe(false);
  const told = staff.c.next('video.dataSaver', (e) => e.peerId === crew.participantId && e.on);
  const echoed = crew.c.next('video.dataSaver', (e) => e.peerId === crew.participantId && e.on);
  ok(await crew.c.request('video.setDataSaver', { on: true }));
  await Promise.all([told, echoed]);
  // Both consumers now prefer the middle layer; the top one goes off once the demand settles.
  expect(room.layers.wanted(camera.id)).toEqual([true, true, false]);
  await layersEvent(crew, camera, [true, true, false], OFF_DELAY_MS + 5_000);

  // A second surveyor joining later is under the same ceiling.
  await watcher(inspectionId, await fx.adminCookie(), 'Admin');
  expect(room.layers.wanted(camera.id)).toEqual([true, true, false]);

  // Staff cannot set it (for the crew or themselves); malformed requests change nothing.
  expect(refusedWith(await staff.c.request('video.setDataSaver', { on: false }))).toBe('FORBIDDEN');
  for (const payload of [{}, { on: 'no' }, { on: false, peerId: crew.participantId }]) {
    expect(refusedWith(await crew.c.request('video.setDataSaver', payload))).toBe('BAD_REQUEST');
  }
  expect(room.layers.wanted(camera.id)).toEqual([true, true, false]);

  // Off again: the top layer is wanted (announced at once).
  ok(await crew.c.request('video.setDataSaver', { on: false }));
  await layersEvent(crew, camera, [true, true, true], 2_000);
  expect(room.layers.wanted(camera.id)).toEqual([true, false, true]);
});

test('the data saver starts on for the kinds DATA_SAVER_KINDS names, and a phone back within its stay keeps its choice', async () => {
  const occasional = await fx.inspectionWithLink(surveyorCookie, { kind: 'occasional' });
  const first = await fx.joinAsCrew(occasional.token, 'Zhao');
  expect(first.join.dataSaver).toBe(true);
  ok(await first.c.request('video.setDataSaver', { on: false }));
  // The same link again (a reload): the server's seat remembers the choice.
  first.c.close();
  const again = await fx.joinAsCrew(occasional.token, 'Zhao');
  expect(again.join.dataSaver).toBe(false);

  const periodic = await fx.inspectionWithLink(surveyorCookie, { kind: 'periodic' });
  expect((await fx.joinAsCrew(periodic.token, 'Qian')).join.dataSaver).toBe(false);
});
