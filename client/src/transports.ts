// mediasoup-client wiring: the Device, and transports whose events are answered over signaling.
import { Device } from 'mediasoup-client';
import type { DtlsParameters, IceCandidate, IceParameters, Transport } from 'mediasoup-client/types';
import type { RequestName, RequestPayload, ResponseData, TransportInfo } from '@cloudship/shared';
import { MediaError } from './local-media';

type Request = <N extends RequestName>(name: N, payload: RequestPayload<N>) => Promise<ResponseData[N]>;

/**
 * A mediasoup Device for this browser (one per join: `load()` works once, and after a media server
 * restart the router may be a different one). A browser without WebRTC gets a translatable code.
 */
export function createDevice(): Device {
  if (!window.isSecureContext) throw new MediaError('INSECURE_CONTEXT', 'WebRTC needs a secure context');
  try {
    return new Device();
  } catch (err) {
    throw new MediaError('UNSUPPORTED_BROWSER', err instanceof Error ? err.message : String(err));
  }
}

/** A send or receive transport for the server-side transport `info`. */
export function createTransport(
  device: Device,
  direction: 'send' | 'recv',
  info: TransportInfo,
  request: Request,
  iceServers: RTCIceServer[] = [],
): Transport {
  const options = {
    id: info.id,
    // TURN (relay over UDP/TCP/TLS) for networks that block UDP to the SFU; credentials expire.
    ...(iceServers.length > 0 ? { iceServers } : {}),
    iceParameters: info.iceParameters as IceParameters,
    iceCandidates: info.iceCandidates as IceCandidate[],
    dtlsParameters: info.dtlsParameters as DtlsParameters,
  };
  const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);

  // mediasoup-client asks for the DTLS handshake parameters to be signaled on first use of the
  // transport (first produce or consume), not at creation.
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    request('transport.connect', { transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
  });
  // Each transport.produce() asks the server for a producer id; `appData` carries our source and
  // whether it starts paused (see publisher.ts).
  transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
    request('produce', {
      transportId: transport.id,
      kind,
      rtpParameters,
      source: appData.source === 'camera' ? 'camera' : 'microphone',
      paused: appData.paused === true,
    }).then(({ producerId }) => callback({ id: producerId }), errback);
  });
  return transport;
}
