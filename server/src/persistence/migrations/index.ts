// Every migration, in one list. TypeORM orders them by the timestamp in their class name, not by
// their place here. Migrations are plain SQL, the same for SQLite and PostgreSQL (types both know:
// timestamptz, double precision, boolean ... DEFAULT false, CURRENT_TIMESTAMP), and import no
// entity, so this folder stays below the features whose tables they create.
import { AccountState1764700000000 } from './1764700000000-account-state';
import { Chat1765100000000 } from './1765100000000-chat';
import { CoSurveyor1764600000000 } from './1764600000000-co-surveyor';
import { CrewLinkCode1764900000000 } from './1764900000000-crew-link-code';
import { EvidenceAnnotation1765000000000 } from './1765000000000-evidence-annotation';
import { EvidenceUpload1764500000000 } from './1764500000000-evidence-upload';
import { FieldPosition1764400000000 } from './1764400000000-field-position';
import { Initial1764200000000 } from './1764200000000-initial';
import { InspectionContinuation1764900100000 } from './1764900100000-inspection-continuation';
import { InspectionRecord1764300000000 } from './1764300000000-inspection-record';
import { Recording1764300300000 } from './1764300300000-recording';
import { RecordingGaps1764800000000 } from './1764800000000-recording-gaps';
import { RecordsAtScale1765200000000 } from './1765200000000-records-at-scale';
import { Review1765300000000 } from './1765300000000-review';
import { ReviewSample1765400000000 } from './1765400000000-review-sample';
import { ServerHeartbeat1764810000000 } from './1764810000000-server-heartbeat';
import { EvidenceSeal1765700000000 } from './1765700000000-evidence-seal';
import { LinkQuality1765650000000 } from './1765650000000-link-quality';

export const MIGRATIONS = [
  Initial1764200000000,
  InspectionRecord1764300000000,
  Recording1764300300000,
  FieldPosition1764400000000,
  EvidenceUpload1764500000000,
  CoSurveyor1764600000000,
  AccountState1764700000000,
  RecordingGaps1764800000000,
  ServerHeartbeat1764810000000,
  CrewLinkCode1764900000000,
  InspectionContinuation1764900100000,
  EvidenceAnnotation1765000000000,
  Chat1765100000000,
  RecordsAtScale1765200000000,
  Review1765300000000,
  ReviewSample1765400000000,
  LinkQuality1765650000000,
  EvidenceSeal1765700000000,
];
