// The chat of an inspection: text messages both ways, the surveyor's document requests, and the
// documents the crew sends (stored as evidence by the inspection record; the chat keeps a message
// that names them). Every message is saved with its sender and time before it is pushed to the
// people in the live room ('chat.message'), so what both sides see is what the record holds.
import crypto from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { AppError, MAX_CHAT_TEXT, type ChatMessageView, type EvidenceView, type Role } from '@cloudship/shared';
import { Throttle, TooManyRequests } from '../auth/throttle';
import type { InspectionService } from '../inspection/inspection-service';
import { Logger } from '../logging/logger';
import type { EvidenceLog } from '../seal/evidence-log';
import type { RoomRegistry } from '../session/room-registry';
import { ChatMessageEntity, type ChatMessage } from './entities';

const logger = new Logger('chat');

/** Per sender: at most this many messages within the window, then a pause of the window. */
export const CHAT_BURST = { points: 10, windowSeconds: 10 };
/** Per inspection: a chat this long is a flood, not an inspection (far above a real one). */
export const MAX_MESSAGES_PER_INSPECTION = 5_000;

export interface ChatSender {
  role: Role;
  /** Account id (staff) or crew link id (crew). */
  id: string;
  name: string;
}

export class ChatService {
  private readonly messages: Repository<ChatMessage>;
  private readonly flood = new Throttle('chat-sender', CHAT_BURST);

  constructor(
    private readonly db: DataSource,
    private readonly inspections: InspectionService,
    private readonly rooms: RoomRegistry,
    /** The inspection's evidence (app.ts: the inspection record's), for the documents' files. */
    private readonly documents: (inspectionId: string) => Promise<EvidenceView[]>,
    private readonly log: EvidenceLog,
  ) {
    this.messages = db.getRepository(ChatMessageEntity);
  }

  /** A text message from the surveyor or the crew. */
  async send(inspectionId: string, sender: ChatSender, text: string): Promise<ChatMessageView> {
    const trimmed = text.trim();
    if (!trimmed) throw new AppError('BAD_REQUEST', 'The message is empty.');
    if (trimmed.length > MAX_CHAT_TEXT) throw new AppError('BAD_REQUEST', `A message holds at most ${MAX_CHAT_TEXT} characters.`);
    return (await this.post(inspectionId, sender, { kind: 'text', text: trimmed })).message;
  }

  /** The surveyor asks the crew for a document; answers how many crew phones were told. */
  async requestDocument(inspectionId: string, sender: ChatSender, title: string): Promise<{ message: ChatMessageView; crewCount: number }> {
    return this.post(inspectionId, sender, { kind: 'document-request', text: title.trim() });
  }

  /**
   * The id of a document request of this inspection, or null: a document answers a request only
   * when the surveyor made it here (never on the phone's say-so alone).
   */
  async requestOf(inspectionId: string, requestId: string | undefined): Promise<string | null> {
    if (!requestId || requestId.length > 36) return null;
    const row = await this.messages.findOneBy({ id: requestId, inspectionId, kind: 'document-request' });
    return row?.id ?? null;
  }

  /** A document the crew sent is stored (as evidence): the chat names it. */
  async documentReceived(evidence: EvidenceView, sender: ChatSender, requestId: string | null): Promise<ChatMessageView> {
    const fields = { kind: 'document' as const, text: evidence.note, evidenceId: evidence.id, requestId };
    return (await this.post(evidence.inspectionId, sender, fields, [evidence])).message;
  }

  /** The name a crew link goes by in the live room (what the crew typed on joining). */
  crewName(inspectionId: string, crewLinkId: string): string {
    return this.rooms.get(inspectionId)?.peerByIdentity(`crew:${crewLinkId}`)?.displayName ?? 'crew';
  }

  /** Every message of the inspection, oldest first. */
  async history(inspectionId: string): Promise<ChatMessageView[]> {
    const rows = await this.messages.find({ where: { inspectionId }, order: { sentAt: 'ASC' }, take: MAX_MESSAGES_PER_INSPECTION });
    return this.views(inspectionId, rows);
  }

  private async post(
    inspectionId: string,
    sender: ChatSender,
    fields: Pick<ChatMessage, 'kind' | 'text'> & Partial<Pick<ChatMessage, 'evidenceId' | 'requestId'>>,
    documents?: EvidenceView[],
  ): Promise<{ message: ChatMessageView; crewCount: number }> {
    this.inspections.assertOpen(await this.inspections.get(inspectionId));
    // Documents are throttled by the upload throttle; texts and requests by this one.
    if (fields.kind !== 'document') {
      const key = `${inspectionId}:${sender.role}:${sender.id}`;
      const wait = await this.flood.retryAfter(key);
      if (wait > 0) throw new TooManyRequests(wait, `Too many messages at once: wait ${wait} s before sending more.`);
      await this.flood.hit(key);
    }
    if ((await this.messages.countBy({ inspectionId })) >= MAX_MESSAGES_PER_INSPECTION) {
      throw new AppError('LIMIT_REACHED', `This inspection's chat is full (${MAX_MESSAGES_PER_INSPECTION} messages).`);
    }
    const row = await this.db.transaction(async (m) => {
      const saved = await m.save(ChatMessageEntity, {
        id: crypto.randomUUID(),
        inspectionId,
        senderRole: sender.role,
        senderId: sender.id,
        senderName: sender.name.slice(0, 80),
        sentAt: new Date(),
        evidenceId: null,
        requestId: null,
        ...fields,
      });
      // A document's bytes are sealed by its own `document` entry; the message names it.
      await this.log.append(
        m,
        inspectionId,
        'chat.message',
        {
          messageId: saved.id,
          kind: saved.kind,
          text: saved.text,
          sender: { role: saved.senderRole, id: saved.senderId, name: saved.senderName },
          evidenceId: saved.evidenceId,
          requestId: saved.requestId,
        },
        { at: saved.sentAt },
      );
      return saved;
    });
    const [message] = await this.views(inspectionId, [row], documents);
    logger.info('post() | message stored', { inspectionId, messageId: row.id, kind: row.kind, by: sender.role });
    const room = this.rooms.get(inspectionId);
    let crewCount = 0;
    if (room && !room.closed) {
      crewCount = room.broadcast('chat.message', message!, { role: 'crew' });
      room.broadcast('chat.message', message!, { permission: 'inspection.read' });
    }
    return { message: message!, crewCount };
  }

  /** Messages as views, each document with its file's type, size and SHA-256 (from its evidence). */
  private async views(inspectionId: string, rows: ChatMessage[], documents?: EvidenceView[]): Promise<ChatMessageView[]> {
    const files = rows.some((r) => r.evidenceId) ? (documents ?? (await this.documents(inspectionId))) : [];
    const byId = new Map(files.map((e) => [e.id, e]));
    return rows.map((r) => {
      const e = r.evidenceId ? byId.get(r.evidenceId) : undefined;
      const document =
        e && e.contentType && e.sha256
          ? { evidenceId: e.id, contentType: e.contentType, sizeBytes: e.sizeBytes ?? 0, sha256: e.sha256 }
          : null;
      return toChatView(r, document);
    });
  }
}

export function toChatView(r: ChatMessage, document: ChatMessageView['document']): ChatMessageView {
  return {
    id: r.id,
    inspectionId: r.inspectionId,
    kind: r.kind,
    senderRole: r.senderRole,
    senderName: r.senderName,
    text: r.text,
    sentAt: r.sentAt.toISOString(),
    document,
    requestId: r.requestId,
  };
}
