// Chat between the surveyor's console and the crew's phone (chat/): text messages both ways, the
// surveyor asking for a document, and the documents the crew sends (a photo or a PDF from the
// phone's gallery or files, stored as evidence of type 'document'). protocol.ts merges these
// schemas and event maps into its own; the server parses every payload with them. Every message is
// stored with its sender and time and is part of the record (replay timeline, report).
import { z } from './zod';
import type { Role } from './domain';

/** A message is a few sentences, not a report: longer text goes into the checklist notes. */
export const MAX_CHAT_TEXT = 2_000;
/** A document request names what is wanted ("certificate of class", "油类记录簿"). */
export const MAX_DOCUMENT_TITLE = 200;
/** The largest document the phone may send (DOCUMENT_MAX_MB overrides it on the server). */
export const DEFAULT_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** What a document may be, recognised by its magic bytes (the file name and header are claims). */
export const DOCUMENT_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** Text as typed: surrounding blanks dropped, never empty, at most MAX_CHAT_TEXT characters. */
const text = z.string().trim().min(1, 'the message is empty').max(MAX_CHAT_TEXT, `at most ${MAX_CHAT_TEXT} characters`);

export const chatSchemas = {
  /** Surveyor or crew: send a text message to everyone in the inspection. */
  'chat.send': z.object({ text }).strict(),
  /** Surveyor: ask the crew for a document; the phone shows the request with a "send" button. */
  'document.request': z.object({ title: z.string().trim().min(1).max(MAX_DOCUMENT_TITLE) }).strict(),
} as const;

export const CHAT_MESSAGE_KINDS = ['text', 'document-request', 'document'] as const;
export type ChatMessageKind = (typeof CHAT_MESSAGE_KINDS)[number];

/** One message of an inspection's chat, as both sides and the record show it. */
export interface ChatMessageView {
  id: string;
  inspectionId: string;
  kind: ChatMessageKind;
  senderRole: Role;
  senderName: string;
  /** The text; the title asked for (document-request); the file's description (document). */
  text: string;
  sentAt: string;
  /** A document: the evidence that holds it (staff fetch it from the evidence file route). */
  document: { evidenceId: string; contentType: string; sizeBytes: number; sha256: string } | null;
  /** A document sent in answer to a request: that request's message id. */
  requestId: string | null;
}

export interface ChatResponseData {
  'chat.send': { message: ChatMessageView };
  'document.request': { message: ChatMessageView; crewCount: number };
}

export interface ChatServerEvents {
  /** To everyone in the room: a new message (text, document request or document). */
  'chat.message': (message: ChatMessageView) => void;
}

/** Query of the crew's document upload (`POST /api/crew/documents`, the body is the file). */
export const documentUploadQuerySchema = z
  .object({
    /** The surveyor's document request this answers; absent: the crew sends it on its own. */
    requestId: z.string().min(1).max(64).optional(),
    /** The file's name on the phone, shown beside the document (never used as a storage key). */
    name: z.string().trim().max(200).optional(),
  })
  .strict();
export type DocumentUploadQuery = z.infer<typeof documentUploadQuerySchema>;
