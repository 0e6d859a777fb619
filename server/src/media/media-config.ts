// Codecs and transport settings for every router and WebRTC transport.
import type { RtpCodecCapability, WebRtcTransportOptions } from 'mediasoup/node/lib/types';
import type { Config } from '../config/config';

export const MEDIA_CODECS: RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  // VP8 first: every phone browser encodes it, and simulcast with VP8 is the best supported path.
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];

export function webRtcTransportOptions(config: Config): WebRtcTransportOptions {
  return {
    listenIps: config.rtc.listenIps,
    enableUdp: true,
    // TCP candidates let phones on networks that block UDP still connect.
    enableTcp: true,
    preferUdp: true,
    initialAvailableOutgoingBitrate: 1_000_000,
    appData: {},
  };
}
