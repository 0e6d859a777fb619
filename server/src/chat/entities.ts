// Entities of the chat (chat/): every message of an inspection's chat (text, a document request of
// the surveyor, a document the crew sent), with its sender and time. Schema: migration
// 1765100000000-chat.
import { EntitySchema } from 'typeorm';
import type { ChatMessageKind, Role } from '@cloudship/shared';

export interface ChatMessage {
  id: string;
  inspectionId: string;
  kind: ChatMessageKind;
  senderRole: Role;
  /** Account id (staff) or crew link id (crew). */
  senderId: string;
  senderName: string;
  text: string;
  sentAt: Date;
  /** A document: the evidence row that holds its bytes. */
  evidenceId: string | null;
  /** A document sent in answer to a request: the request's message id. */
  requestId: string | null;
}

export const ChatMessageEntity = new EntitySchema<ChatMessage>({
  name: 'ChatMessage',
  tableName: 'chat_message',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    inspectionId: { type: 'varchar', length: 36 },
    kind: { type: 'varchar', length: 24 },
    senderRole: { type: 'varchar', length: 16 },
    senderId: { type: 'varchar', length: 36 },
    senderName: { type: 'varchar', length: 80 },
    text: { type: 'text' },
    sentAt: { type: 'datetime' },
    evidenceId: { type: 'varchar', length: 36, nullable: true },
    requestId: { type: 'varchar', length: 36, nullable: true },
  },
});

export const CHAT_ENTITIES = [ChatMessageEntity];
