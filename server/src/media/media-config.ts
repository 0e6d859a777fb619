// Codecs and transport settings for every router and WebRTC transport.
import type { RouterRtpCodecCapability, TransportListenInfo, WebRtcTransportOptions } from 'mediasoup/types';
import type { Config } from '../config/config';

export const MEDIA_CODECS: RouterRtpCodecCapability[] = [
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
  const portRange = { min: config.rtc.minPort, max: config.rtc.maxPort };
  // UDP first (preferred in the candidates' priorities); TCP candidates let phones on networks
  // that block UDP still connect. The port range is per listen address (RTC_MIN_PORT..RTC_MAX_PORT).
  const listenInfos: TransportListenInfo[] = (['udp', 'tcp'] as const).flatMap((protocol) =>
    config.rtc.listenAddresses.map(({ ip, announcedAddress }) => ({
      protocol,
      ip,
      ...(announcedAddress ? { announcedAddress } : {}),
      portRange,
    })),
  );
  return {
    listenInfos,
    preferUdp: true,
    initialAvailableOutgoingBitrate: 1_000_000,
    appData: {},
  };
}
