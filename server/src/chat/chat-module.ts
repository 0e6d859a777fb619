// Composition of the chat (chat/) for app.ts: the service, its REST routes (history, the crew's
// document upload) and its socket handlers. Documents are stored by the inspection record's
// evidence service, handed in by app.ts (the features never import each other).
import type express from 'express';
import type { DataSource } from 'typeorm';
import type { EvidenceView } from '@cloudship/shared';
import type { AccountService } from '../auth/account-service';
import type { InspectionAccess } from '../inspection/inspection-access';
import type { InspectionService } from '../inspection/inspection-service';
import type { EvidenceLog } from '../seal/evidence-log';
import type { RoomRegistry } from '../session/room-registry';
import { chatHandlers } from './chat-handlers';
import { chatRouter, type DocumentIntake } from './chat-routes';
import { ChatService } from './chat-service';

export interface ChatModule {
  chat: ChatService;
  router: express.Router;
  handlers: ReturnType<typeof chatHandlers>;
}

export function createChatModule(deps: {
  db: DataSource;
  accounts: AccountService;
  access: InspectionAccess;
  inspections: InspectionService;
  rooms: RoomRegistry;
  documents: DocumentIntake & { list(inspectionId: string): Promise<EvidenceView[]> };
  /** The evidence log: every message. */
  log: EvidenceLog;
}): ChatModule {
  const chat = new ChatService(deps.db, deps.inspections, deps.rooms, (id) => deps.documents.list(id), deps.log);
  return { chat, router: chatRouter({ ...deps, chat }), handlers: chatHandlers(chat) };
}
