// TrackRecorder on a real mediasoup worker: a stop() that arrives while the recorder is still
// being set up (the participant left, the server is closing) must leave nothing running. Before
// the fix, the set-up went on after such a stop and spawned an ffmpeg nobody would ever stop.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as mediasoup from 'mediasoup';
import pLimit from 'p-limit';
import type { Router, Transport, Worker } from 'mediasoup/types';
import { TrackRecorder } from '../../server/src/recording/track-recorder';
import { ffmpegProcessesMentioning } from '../helpers/recording';

let worker: Worker;
let router: Router;
let dir: string;

beforeAll(async () => {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'track-recorder-'));
});

afterAll(() => {
  worker.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('stop() while the recorder is being set up: start() fails, its transport is closed and no ffmpeg runs', async () => {
  const sending = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
  const producer = await sending.produce({
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1111 }] },
  });
  const recorder = new TrackRecorder(path.join(dir, 'run'), router, producer, { segmentSeconds: 10, startLimit: pLimit(1) });
  // The recorder's own transport is the next one created on the router: stop right then, in the
  // middle of start().
  const created: Transport[] = [];
  router.observer.on('newtransport', (t: Transport) => {
    if (t === sending) return;
    created.push(t);
    void recorder.stop();
  });
  const ended = new Promise((resolve) => recorder.once('ended', resolve));

  await expect(recorder.start()).rejects.toThrow('recorder stopped while it was starting');
  expect(await ended).toEqual({ error: 'recorder never started' });
  expect(created).toHaveLength(1);
  expect(created[0]!.closed).toBe(true);
  expect(fs.existsSync(path.join(dir, 'run', 'input.sdp'))).toBe(false);
  expect(ffmpegProcessesMentioning(dir)).toEqual([]);
  expect(producer.closed).toBe(false); // the producer itself is untouched
});
