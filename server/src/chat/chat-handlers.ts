// Socket requests of the chat (chat-protocol.ts): a text message from either side, a document
// request from the surveyor. Each checks a permission (never a role name) and needs a joined
// session: the sender's name is the one the room knows.
import type { ChatResponseData } from '@cloudship/shared';
import { joined, requirePermission, type ParticipantContext, type RequestHandlers } from '../session/participant-context';
import type { ChatSender, ChatService } from './chat-service';

export type ChatRequest = keyof ChatResponseData;

function sender(ctx: ParticipantContext): ChatSender {
  const { peer } = joined(ctx);
  return { role: ctx.identity.role, id: ctx.identity.accountId ?? ctx.identity.crewLinkId ?? '', name: peer.displayName };
}

export function chatHandlers(chat: ChatService): RequestHandlers<ChatRequest> {
  return {
    async 'chat.send'(ctx, req) {
      requirePermission(ctx, 'chat.send');
      return { message: await chat.send(ctx.inspectionId, sender(ctx), req.text) };
    },

    async 'document.request'(ctx, req) {
      requirePermission(ctx, 'document.request');
      return chat.requestDocument(ctx.inspectionId, sender(ctx), req.title);
    },
  };
}
