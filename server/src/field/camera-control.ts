// Remote control of a crew phone's camera by the surveyor: torch, zoom, camera switch, and the
// video profile for the link's bandwidth; and the crew's own data saver, which with the profile
// decides the highest simulcast layer the phone sends. The phone reports what its camera can do
// (MediaStreamTrack.getCapabilities()); a command is forwarded only when the camera reports it.
// Who may send commands is decided by the handler (permission 'camera.control'); here we check the
// target: a crew phone in the same room.
import {
  AppError,
  can,
  cameraTopLayer,
  type ServerToClientEvents,
  type CameraCapabilities,
  type CameraCommand,
  type InspectionKind,
  type VideoProfile,
} from '@cloudship/shared';
import { Logger } from '../logging/logger';
import type { Peer, PeerProducer } from '../session/peer';
import type { Room } from '../session/room';
import type { RoomRegistry } from '../session/room-registry';

const logger = new Logger('camera-control');

/** How long a setting waits for the top layer it keeps to start arriving from the phone. */
const LAYER_START_MS = 2_500;

/** What decides which layers a crew camera sends (shared cameraTopLayer()). */
interface CameraSetting {
  /** The surveyor's choice. */
  profile: VideoProfile;
  /** The crew's choice (or the inspection kind's default). */
  dataSaver: boolean;
}

export class CameraControlService {
  private readonly capabilities = new WeakMap<Peer, CameraCapabilities>();
  private readonly settings = new WeakMap<Peer, CameraSetting>();

  constructor(private readonly dataSaverKinds: readonly InspectionKind[] = []) {}

  attach(registry: RoomRegistry): this {
    registry.on('roomCreated', (room) => {
      room.on('peerJoined', (peer) => this.onPeerJoined(room, peer));
      room.on('producerAdded', (peer, producer) => this.onProducerAdded(room, peer, producer));
    });
    return this;
  }

  /**
   * For room.join's answer to a crew phone: its data saver. A phone back within its stay keeps
   * its choice; a new one starts with the default of the inspection's kind.
   */
  dataSaverAtJoin(room: Room, peer: Peer, kind: InspectionKind): boolean {
    let setting = this.settings.get(peer);
    if (!setting) {
      setting = { profile: 'auto', dataSaver: this.dataSaverKinds.includes(kind) };
      this.settings.set(peer, setting);
      if (setting.dataSaver) this.notifyControllers(room, peer, 'video.dataSaver', { peerId: peer.id, on: true });
    }
    return setting.dataSaver;
  }

  /** A newcomer on the staff side learns the crew cameras' capabilities and settings; a crew phone
   *  that rejoined gets its profile again (its new producer starts with the default encodings). */
  private onPeerJoined(room: Room, peer: Peer): void {
    if (can(peer.role, 'camera.control')) {
      for (const crew of room.peers.values()) {
        if (crew.role !== 'crew') continue;
        const caps = this.capabilities.get(crew);
        if (caps) peer.notify('camera.capabilities', { peerId: crew.id, capabilities: caps });
        const setting = this.settings.get(crew);
        if (setting) {
          peer.notify('video.profile', { peerId: crew.id, profile: setting.profile });
          peer.notify('video.dataSaver', { peerId: crew.id, on: setting.dataSaver });
        }
      }
    } else if (peer.role === 'crew') {
      const profile = this.settings.get(peer)?.profile;
      if (profile && profile !== 'auto') peer.notify('video.profile', { peerId: peer.id, profile });
    }
  }

  /** A crew camera (first or after a rejoin) is consumed no higher than its setting sends. */
  private onProducerAdded(room: Room, peer: Peer, producer: PeerProducer): void {
    const setting = this.settings.get(peer);
    if (!setting || producer.kind !== 'video' || producer.type !== 'simulcast') return;
    void room.layers.ceil(producer.id, ceilingOf(setting));
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

  /** A surveyor's video profile for a crew camera. */
  async setProfile(room: Room, from: Peer, targetId: string, profile: VideoProfile): Promise<void> {
    const target = this.crewTarget(room, from, targetId);
    logger.info(`setProfile() | ${this.setting(target).profile} -> ${profile}`, {
      inspectionId: room.inspectionId,
      participantId: target.id,
      from: from.id,
    });
    await this.change(room, target, { profile }, () => {
      target.notify('video.profile', { peerId: target.id, profile });
      this.notifyControllers(room, target, 'video.profile', { peerId: target.id, profile });
    });
  }

  /** The crew phone's own data saver. */
  async setDataSaver(room: Room, peer: Peer, on: boolean): Promise<void> {
    // Staff send their own camera as they choose; the saver is the crew phone's, seen by staff.
    if (peer.role !== 'crew') throw new AppError('FORBIDDEN', 'Only a crew phone has a data saver.');
    logger.info(`setDataSaver() | ${on ? 'on' : 'off'}`, { inspectionId: room.inspectionId, participantId: peer.id });
    await this.change(room, peer, { dataSaver: on }, () => {
      peer.notify('video.dataSaver', { peerId: peer.id, on });
      this.notifyControllers(room, peer, 'video.dataSaver', { peerId: peer.id, on });
    });
  }

  private setting(peer: Peer): CameraSetting {
    return this.settings.get(peer) ?? { profile: 'auto', dataSaver: false };
  }

  /**
   * Moves a crew camera to a new setting without a hole in anyone's picture. Going down (fewer
   * layers), the consumers that must not lose a frame (the recorder) move to the layer that will
   * remain while the ones above still flow, then the phone is told. Going up to a layer the phone
   * sends already but nobody consumed (it may be off), that layer is turned on and the change
   * waits (at most LAYER_START_MS) until it arrives, so nobody drops below it meanwhile. `tell`
   * notifies the phone and staff.
   */
  private async change(room: Room, target: Peer, patch: Partial<CameraSetting>, tell: () => void): Promise<void> {
    const previous = this.setting(target);
    const next = { ...previous, ...patch };
    this.settings.set(target, next);
    const before = cameraTopLayer(previous.profile, previous.dataSaver);
    const top = cameraTopLayer(next.profile, next.dataSaver);
    const cameras = [...target.producers.values()].filter((p) => p.kind === 'video' && p.type === 'simulcast');
    const releases = top === null ? [] : cameras.map((producer) => room.layers.hold(producer.id, top));
    try {
      // The layer was off by the previous setting (or no video at all): the phone turns it on when
      // told, nothing to wait for.
      if (top !== null && before !== null && top <= before)
        await Promise.all(cameras.map((producer) => room.layers.flowing(producer, top, LAYER_START_MS)));
      if (top !== null) for (const producer of cameras) room.planLayers(target, producer, top);
      tell();
      // 'audio-stills' pauses the camera (the phone does): the ceiling stays as it was.
      if (top !== null) await Promise.all(cameras.map((producer) => room.layers.ceil(producer.id, ceilingOf(next))));
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

  private notifyControllers<E extends 'camera.capabilities' | 'video.profile' | 'video.dataSaver'>(
    room: Room,
    except: Peer,
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
  ): void {
    room.broadcast(event, payload, { except, permission: 'camera.control' });
  }
}

/** The consumers' ceiling for a setting: null below the full layer (2), none for no video. */
function ceilingOf(setting: CameraSetting): number | null {
  const top = cameraTopLayer(setting.profile, setting.dataSaver);
  return top === null || top >= 2 ? null : top;
}
