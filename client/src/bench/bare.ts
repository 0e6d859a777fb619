// The baseline of `npm run bench:join`: the least a crew page can do to publish, with none of the
// application's page code (no invitation fetch, no consent screen, no UI, no i18n). It speaks the
// same signaling protocol to the same server, with the same simulcast encodings as the crew page,
// so the ratio app/bare is the cost of the application's own code and UI.
// Usage: /bench-bare.html?token=<crew link token>
import type { RtpCapabilities, TransportOptions } from 'mediasoup-client/types';
import { Device } from 'mediasoup-client';
import { io } from 'socket.io-client';
import type { Ack } from '@cloudship/shared';

const state = document.getElementById('state')!;
const token = new URLSearchParams(location.search).get('token') ?? '';
const socket = io({ auth: { crewToken: token }, transports: ['websocket'] });

function request<T>(name: string, payload: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    (socket.emit as (e: string, p: unknown, cb: (a: Ack<T>) => void) => void)(name, payload, (ack) =>
      ack.ok ? resolve(ack.data) : reject(new Error(ack.error.code)),
    ),
  );
}

async function main(): Promise<void> {
  const media = navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 1280 }, height: { ideal: 720 } } });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const device = new Device();
  const { routerRtpCapabilities } = await request<{ routerRtpCapabilities: RtpCapabilities }>('room.getCapabilities', {});
  await device.load({ routerRtpCapabilities });
  await request('room.join', { displayName: 'bare', device: 'bench', rtpCapabilities: device.rtpCapabilities });
  const info = await request<TransportOptions>('transport.create', { direction: 'send' });
  const transport = device.createSendTransport(info);
  transport.on('connect', ({ dtlsParameters }, ok, fail) => {
    request('transport.connect', { transportId: transport.id, dtlsParameters }).then(() => ok(), fail);
  });
  transport.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
    request<{ producerId: string }>('produce', { transportId: transport.id, kind, rtpParameters, source: appData.source }).then(
      ({ producerId }) => ok({ id: producerId }),
      fail,
    );
  });
  const stream = await media;
  await transport.produce({
    track: stream.getVideoTracks()[0]!,
    encodings: [
      { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
      { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
      { scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
    ],
    appData: { source: 'camera' },
  });
  await transport.produce({ track: stream.getAudioTracks()[0]!, appData: { source: 'microphone' } });
  state.textContent = 'publishing';
}

main().catch((e) => {
  state.textContent = `failed: ${(e as Error).message}`;
});
