// Composition of the crew-phone-in-the-field features (field/) for app.ts: positions, camera
// control and profiles, the crew's data as counted here, dips in its link quality, TURN credentials. Each service attaches
// itself to new rooms.
import type { DataSource } from 'typeorm';
import type { IceServerInfo } from '@cloudship/shared';
import type { Config } from '../config/config';
import type { InspectionService } from '../inspection/inspection-service';
import type { EvidenceLog } from '../seal/evidence-log';
import type { RoomRegistry } from '../session/room-registry';
import { CameraControlService } from './camera-control';
import { CrewDataService } from './crew-data';
import { LinkQualityService } from './link-quality';
import { PositionService } from './position-service';
import { iceServersFor } from './turn-credentials';

export interface FieldFeatures {
  positions: PositionService;
  camera: CameraControlService;
  /** The crew phone's data used and rate, for the console. */
  crewData: CrewDataService;
  /** Dips in the crew camera's link quality, stored for the replay timeline. */
  linkQuality: LinkQualityService;
  /** For room.join's answer: the ICE servers of this participant's transports. */
  iceServers(participantId: string): IceServerInfo[];
}

export function createFieldFeatures(
  db: DataSource,
  inspections: InspectionService,
  rooms: RoomRegistry,
  config: Config['field'],
  log: EvidenceLog,
): FieldFeatures {
  return {
    positions: new PositionService(db, inspections, config.positionWarnKm, log).attach(rooms),
    camera: new CameraControlService(config.dataSaverKinds).attach(rooms),
    crewData: new CrewDataService().attach(rooms),
    linkQuality: new LinkQualityService(db).attach(rooms),
    iceServers: (participantId) => iceServersFor(config, participantId),
  };
}
