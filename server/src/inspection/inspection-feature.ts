// Composition of the inspection feature for app.ts: lifecycle, reading and crew links, the
// participant log (as the live rooms' hooks), REST routes and socket handlers. attach() subscribes
// the side effects of ending: the crew links are revoked and the live room closes.
import type { Request, Router } from 'express';
import type { DataSource } from 'typeorm';
import type { AccountService } from '../auth/account-service';
import type { CrewTokenSigner } from '../auth/crew-tokens';
import type { EvidenceLog } from '../seal/evidence-log';
import type { RoomHooks } from '../session/room';
import type { RoomRegistry } from '../session/room-registry';
import { InspectionAccess } from './inspection-access';
import { inspectionHandlers } from './inspection-handlers';
import { InspectionLifecycle } from './inspection-lifecycle';
import { InspectionList } from './inspection-list';
import { inspectionRouter } from './inspection-routes';
import { InspectionService } from './inspection-service';
import { ParticipantLog } from './participant-log';

export interface InspectionFeature {
  lifecycle: InspectionLifecycle;
  inspections: InspectionService;
  /** Pages of the inspection list (console and replay). */
  list: InspectionList;
  /** Access by ownership: who may do what on which inspection. */
  access: InspectionAccess;
  participants: ParticipantLog;
  /** What the live rooms call to log participants and to mark the inspection live. */
  roomHooks: RoomHooks;
  router: Router;
  handlers: ReturnType<typeof inspectionHandlers>;
  /** Ending an inspection revokes its links and closes its room. */
  attach(rooms: RoomRegistry): void;
}

export async function createInspectionFeature(deps: {
  db: DataSource;
  accounts: AccountService;
  signer: CrewTokenSigner;
  crewLinkTtlMs: number;
  publicUrl: (req: Request) => string;
  publicUrlConfigured: boolean;
  /** The authority's time zone (TIME_ZONE): the list's from/to are its days. */
  timeZone: string;
  /** The evidence log: created, joined/left, ended. */
  log: EvidenceLog;
}): Promise<InspectionFeature> {
  const lifecycle = new InspectionLifecycle(deps.db, deps.log);
  const access = new InspectionAccess(deps.db);
  const inspections = new InspectionService(deps.db, deps.signer, deps.crewLinkTtlMs, access);
  const list = new InspectionList(deps.db, access, deps.timeZone);
  const participants = new ParticipantLog(deps.db, deps.log);
  await participants.closeDangling();
  lifecycle.on('ended', (inspectionId) => inspections.revokeAllOnEnd(inspectionId));
  const roomHooks: RoomHooks = {
    participantJoined: (p) =>
      participants.joined({
        inspectionId: p.inspectionId,
        role: p.identity.role,
        accountId: p.identity.accountId,
        crewLinkId: p.identity.crewLinkId,
        displayName: p.displayName,
        device: p.device,
      }),
    participantLeft: (id, reason) => participants.left(id, reason),
    participantReplaced: (p) => participants.replaced(p.stayId, { displayName: p.displayName, device: p.device }),
    roomWentLive: async (id) => void (await lifecycle.markLive(id)),
    assertMayOpen: async (id) => inspections.assertOpen(await inspections.get(id)),
  };
  return {
    lifecycle,
    inspections,
    list,
    access,
    participants,
    roomHooks,
    router: inspectionRouter({
      accounts: deps.accounts,
      inspections,
      list,
      lifecycle,
      access,
      publicUrl: deps.publicUrl,
      publicUrlConfigured: deps.publicUrlConfigured,
    }),
    handlers: inspectionHandlers(lifecycle),
    attach(rooms) {
      lifecycle.on('ended', async (inspectionId) => {
        await rooms.get(inspectionId)?.close('inspection-ended');
      });
    },
  };
}
