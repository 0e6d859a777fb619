// Remote control of a crew phone's camera by the surveyor: torch, zoom, camera switch, and the
// video profile for the link's bandwidth. The phone reports what its camera can do
// (MediaStreamTrack.getCapabilities()); a command is forwarded only when the camera reports it.
// Who may send commands is decided by the handler (permission 'camera.control'); here we check the
// target: a crew phone in the same room.
import {
  AppError,
  can,
  type ServerToClientEvents,
  type CameraCapabilities,
  type CameraCommand,
  type VideoProfile,
} from '@cloudship/shared';
import type { Consumer } from 'mediasoup/types';
import { Logger } from '../logging/logger';
import type { Peer } from '../session/peer';
import type { Room } from '../session/room';
import type { RoomRegistry } from '../session/room-registry';

const logger = new Logger('camera-control');

/**
 * The simulcast layer the requesting surveyor's consumer should prefer for each profile. The crew
 * page also changes its encodings (see client/src/video-profiles.ts): 'detail' keeps full
 * resolution at a few frames per second; 'walk-through' turns the top layer off and keeps the
 * lower ones smooth. The SFU still drops below the preferred layer when the link cannot carry it.
 */
const PREFERRED_LAYERS: Record<VideoProfile, { spatialLayer: number; temporalLayer: number } | null> = {
  auto: { spatialLayer: 2, temporalLayer: 2 },
  detail: { spatialLayer: 2, temporalLayer: 2 },
  'walk-through': { spatialLayer: 1, temporalLayer: 2 },
  'audio-stills': null, // the phone pauses its video producer
};

/** How long a profile waits for the layer it keeps to start arriving from the phone. */
const LAYER_START_MS = 2_500;

export class CameraControlService {
  private readonly capabilities = new WeakMap<Peer, CameraCapabilities>();
  private readonly profiles = new WeakMap<Peer, VideoProfile>();

  attach(registry: RoomRegistry): this {
    registry.on('roomCreated', (room) => room.on('peerJoined', (peer) => this.onPeerJoined(room, peer)));
    return this;
  }

  /** A newcomer on the staff side learns the crew cameras' capabilities and profiles; a crew phone
   *  that rejoined gets its profile again (its new producer starts with the default encodings). */
  private onPeerJoined(room: Room, peer: Peer): void {
    if (can(peer.role, 'camera.control')) {
      for (const crew of room.peers.values()) {
        if (crew.role !== 'crew') continue;
        const caps = this.capabilities.get(crew);
        if (caps) peer.notify('camera.capabilities', { peerId: crew.id, capabilities: caps });
        const profile = this.profiles.get(crew);
        if (profile) peer.notify('video.profile', { peerId: crew.id, profile });
      }
    } else if (peer.role === 'crew') {
      const profile = this.profiles.get(peer);
      if (profile && profile !== 'auto') peer.notify('video.profile', { peerId: peer.id, profile });
    }
  }

  reportCapabilities(room: Room, peer: Peer, capabilities: CameraCapabilities): void {
    if (!can(peer.role, 'media.produceVideo')) throw new AppError('FORBIDDEN', 'Your role does not send a camera.');
    this.capabilities.set(peer, capabilities);
    this.notifyControllers(room, peer, 'camera.capabilities', { peerId: peer.id, capabilities });
  }

  command(room: Room, from: Peer, targetId: string, command: CameraCommand): void {
    const target = this.crewTarget(room, from, targetId);
    const caps = this.capabilities.get(target);
    if (command.type === 'torch' && !caps?.torch) throw new AppError('INVALID_STATE', 'This camera has no torch.');
    if (command.type === 'zoom') {
      if (!caps?.zoom) throw new AppError('INVALID_STATE', 'This camera cannot zoom.');
      if (command.value < caps.zoom.min || command.value > caps.zoom.max)
        throw new AppError('BAD_REQUEST', `Zoom must be between ${caps.zoom.min} and ${caps.zoom.max}.`);
    }
    logger.info(`command() | ${command.type}`, { inspectionId: room.inspectionId, participantId: target.id, from: from.id });
    target.notify('camera.command', { command, from: from.id });
  }

  async setProfile(room: Room, from: Peer, targetId: string, profile: VideoProfile): Promise<void> {
    const target = this.crewTarget(room, from, targetId);
    const previous = this.profiles.get(target) ?? 'auto';
    this.profiles.set(target, profile);
    logger.info(`setProfile() | ${previous} -> ${profile}`, { inspectionId: room.inspectionId, participantId: target.id, from: from.id });
    const layers = PREFERRED_LAYERS[profile];
    const cameras = [...target.producers.values()].filter((p) => p.kind === 'video' && p.type === 'simulcast');
    // The layer the profile keeps may be off (nobody watched it): it is turned on, and the
    // profile applied once it arrives (at most LAYER_START_MS later), so nobody drops below it.
    const releases = layers ? cameras.map((producer) => room.layers.hold(producer.id, layers.spatialLayer)) : [];
    try {
      // After 'audio-stills' the phone sends no video until it hears of the new profile: no wait.
      if (layers && previous !== 'audio-stills')
        await Promise.all(cameras.map((producer) => room.layers.flowing(producer, layers.spatialLayer, LAYER_START_MS)));
      // Before the phone changes its encodings: the recorder moves to the layer that will remain
      // while the one it leaves still flows, so the switch costs no media.
      if (layers) for (const producer of cameras) room.planLayers(target, producer, layers.spatialLayer);
      target.notify('video.profile', { peerId: target.id, profile });
      this.notifyControllers(room, target, 'video.profile', { peerId: target.id, profile });
      if (!layers) return;
      for (const consumer of from.consumers.values()) {
        if (consumer.appData.peerId !== target.id || consumer.kind !== 'video' || consumer.type !== 'simulcast') continue;
        // A cap: within it the console still asks for the layer that fits its video element.
        await room.layers.cap(consumer as Consumer, layers.spatialLayer).catch(() => undefined); // closed meanwhile
      }
    } finally {
      for (const release of releases) release();
    }
  }

  private crewTarget(room: Room, from: Peer, targetId: string): Peer {
    const target = room.peers.get(targetId);
    if (!target || target === from || target.closed) throw new AppError('NOT_FOUND', 'No such participant in this session.');
    // Only a crew phone's camera is remote-controlled; staff control their own devices.
    if (target.role !== 'crew') throw new AppError('FORBIDDEN', 'Only a crew camera can be controlled.');
    return target;
  }

  private notifyControllers<E extends 'camera.capabilities' | 'video.profile'>(
    room: Room,
    except: Peer,
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
  ): void {
    room.broadcast(event, payload, { except, permission: 'camera.control' });
  }
}
