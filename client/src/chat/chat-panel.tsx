// The chat panel of both sides (chat-protocol.ts): the messages of the inspection with sender and
// time, a text field that works with a Chinese input method (Enter while composing picks the
// characters, it never sends), and the side's document action: the surveyor asks for a document,
// the crew sends one from the phone's gallery or files (also in answer to a request). A button
// opens and closes the panel and shows how many messages came in while it was closed.
import { DEFAULT_MAX_DOCUMENT_BYTES, DOCUMENT_TYPES, MAX_CHAT_TEXT, type ChatMessageView } from '@cloudship/shared';
import { batch, computed, signal } from '@preact/signals';
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { errorCode } from '../api';
import type { ClientErrorCode } from '../error-codes';
import { errorMessage, getLanguage, type MessageArgs, type MessageKey } from '../i18n';
import type { LiveSession } from '../live-session';
import { tr } from '../ui/language-signal';
import './chat.css';

export interface ChatOptions {
  side: 'staff' | 'crew';
  session: LiveSession;
  history(): Promise<ChatMessageView[]>;
  /** Staff: where a document is downloaded from. */
  fileUrl?(evidenceId: string): string;
  /** Crew: sends a document; `progress` 0..1. */
  sendDocument?(file: File, requestId: string | null, progress: (fraction: number) => void): Promise<ChatMessageView>;
  /** Starts open (the console's docked panel); the phone's sheet starts closed. */
  open?: boolean;
}

export interface Chat {
  setOpen(open: boolean): void;
  dispose(): void;
}

type Notice = { key: MessageKey; args?: MessageArgs; error: boolean } | null;

const MB = 1024 * 1024;

function timeOf(iso: string): string {
  return new Intl.DateTimeFormat(getLanguage(), { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

function sizeOf(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

/** A refused document in the words of the chat (limit, type), anything else as its error. */
function refusal(code: ClientErrorCode): Notice {
  if (code === 'PAYLOAD_TOO_LARGE') return { key: 'chat.docTooLarge', args: { mb: DEFAULT_MAX_DOCUMENT_BYTES / MB }, error: true };
  if (code === 'UNSUPPORTED_MEDIA_TYPE') return { key: 'chat.docWrongType', error: true };
  return { key: 'chat.failed', args: { reason: errorMessage(code) }, error: true };
}

/** Mounts the button into `buttonHost` and the panel into `panelHost`. */
export function mountChat(buttonHost: HTMLElement, panelHost: HTMLElement, opts: ChatOptions): Chat {
  const messages = signal<ChatMessageView[]>([]);
  const open = signal(opts.open ?? false);
  const unread = signal(0);
  const asking = signal(false);
  const notice = signal<Notice>(null);
  const busy = signal(false);
  const mine = new Set<string>();
  const request = signal<string | null>(null);
  const mineOrCrew = (m: ChatMessageView) => mine.has(m.id) || (opts.side === 'crew' && m.senderRole === 'crew');

  function add(list: ChatMessageView[], counted: boolean): void {
    const known = new Set(messages.value.map((m) => m.id));
    const fresh = list.filter((m) => !known.has(m.id));
    if (!fresh.length) return;
    batch(() => {
      messages.value = [...messages.value, ...fresh].sort((a, b) => a.sentAt.localeCompare(b.sentAt));
      if (counted && !open.value) unread.value += fresh.filter((m) => !mineOrCrew(m)).length;
    });
    // The surveyor asks for a document: the phone shows the request at once.
    if (counted && opts.side === 'crew' && fresh.some((m) => m.kind === 'document-request')) setOpen(true);
  }

  function setOpen(value: boolean): void {
    batch(() => {
      open.value = value;
      if (value) unread.value = 0;
    });
  }

  function load(): void {
    opts.history().then(
      (list) => add(list, false),
      () => undefined, // the live messages still arrive; the next (re)connect reads it again
    );
  }

  async function submit(input: HTMLInputElement): Promise<void> {
    const text = input.value.trim();
    if (!text || busy.value) return;
    busy.value = true;
    notice.value = null;
    try {
      const { message } = asking.value
        ? await opts.session.request('document.request', { title: text })
        : await opts.session.request('chat.send', { text });
      mine.add(message.id);
      add([message], false);
      input.value = '';
      asking.value = false;
    } catch (err) {
      notice.value = { key: 'chat.failed', args: { reason: errorMessage(errorCode(err)) }, error: true };
    } finally {
      busy.value = false;
    }
  }

  async function upload(file: File): Promise<void> {
    if (!opts.sendDocument) return;
    if (file.size > DEFAULT_MAX_DOCUMENT_BYTES) return void (notice.value = refusal('PAYLOAD_TOO_LARGE'));
    if (file.type && !(DOCUMENT_TYPES as readonly string[]).includes(file.type))
      return void (notice.value = refusal('UNSUPPORTED_MEDIA_TYPE'));
    busy.value = true;
    const name = file.name || tr('chat.document');
    notice.value = { key: 'chat.uploading', args: { name, percent: 0 }, error: false };
    try {
      const message = await opts.sendDocument(file, request.value, (f) => {
        notice.value = { key: 'chat.uploading', args: { name, percent: Math.round(f * 100) }, error: false };
      });
      mine.add(message.id);
      add([message], false);
      notice.value = null;
      request.value = null;
    } catch (err) {
      notice.value = refusal(errorCode(err));
    } finally {
      busy.value = false;
    }
  }

  const count = computed(() => unread.value);

  function ChatButton() {
    const n = count.value;
    return (
      <button
        type="button"
        class={`btn btn-small chat-button${open.value ? ' active' : ''}`}
        data-testid="chat-button"
        aria-expanded={open.value}
        aria-label={n ? tr('chat.openUnread', { n }) : tr('chat.open')}
        onClick={() => setOpen(!open.value)}
      >
        {tr('chat.open')}
        {n > 0 && (
          <span class="chat-badge" data-testid="chat-unread">
            {n > 99 ? '99+' : n}
          </span>
        )}
      </button>
    );
  }

  function Message({ m }: { m: ChatMessageView }) {
    const self = mineOrCrew(m);
    const who = self ? tr('chat.you') : m.senderName || tr(m.senderRole === 'crew' ? 'chat.crew' : 'chat.surveyor');
    const doc = m.document;
    return (
      <li class={`chat-msg chat-${m.kind}${self ? ' mine' : ''}`} data-testid="chat-message" data-kind={m.kind} data-role={m.senderRole}>
        <div class="chat-meta">
          <span class="chat-sender">{who}</span> <time dateTime={m.sentAt}>{timeOf(m.sentAt)}</time>
        </div>
        {m.kind === 'text' && <p class="chat-text">{m.text}</p>}
        {m.kind === 'document-request' && (
          <p class="chat-text">
            {tr(opts.side === 'crew' ? 'chat.documentRequested' : 'chat.asked', { title: m.text })}
            {opts.side === 'crew' && opts.sendDocument && (
              <button
                type="button"
                class="btn btn-small btn-primary chat-answer"
                data-testid="chat-answer-request"
                onClick={() => {
                  request.value = m.id;
                  panelHost.querySelector<HTMLInputElement>('input[type=file]')?.click();
                }}
              >
                {tr('chat.sendRequested')}
              </button>
            )}
          </p>
        )}
        {m.kind === 'document' && (
          <p class="chat-text chat-doc" data-testid="chat-document" data-sha256={doc?.sha256 ?? ''}>
            <span class="chat-doc-type">{doc?.contentType === 'application/pdf' ? 'PDF' : tr('chat.document')}</span>{' '}
            <span class="chat-doc-name">{m.text || tr('chat.document')}</span>
            {doc && <span class="muted"> · {sizeOf(doc.sizeBytes)}</span>}
            {doc && opts.fileUrl && (
              <a class="chat-download" data-testid="chat-download" href={opts.fileUrl(doc.evidenceId)} download>
                {tr('chat.download')}
              </a>
            )}
          </p>
        )}
      </li>
    );
  }

  function Panel() {
    const list = useRef<HTMLOListElement>(null);
    const input = useRef<HTMLInputElement>(null);
    const file = useRef<HTMLInputElement>(null);
    const n = messages.value.length;
    useEffect(() => {
      if (list.current) list.current.scrollTop = list.current.scrollHeight;
    }, [n, open.value]);
    const shown = notice.value;
    return (
      <section class={`chat-panel chat-${opts.side}`} data-testid="chat-panel" hidden={!open.value} aria-label={tr('chat.title')}>
        <header class="chat-head">
          <h3>{tr('chat.title')}</h3>
          {opts.side === 'crew' && (
            <button type="button" class="btn btn-small btn-ghost" data-testid="chat-close" onClick={() => setOpen(false)}>
              {tr('chat.close')}
            </button>
          )}
        </header>
        <ol class="chat-list" ref={list} data-testid="chat-list">
          {n === 0 && <li class="chat-empty muted">{tr('chat.empty')}</li>}
          {messages.value.map((m) => (
            <Message key={m.id} m={m} />
          ))}
        </ol>
        {shown && (
          <p
            class={shown.error ? 'chat-notice error' : 'chat-notice'}
            data-testid={shown.error ? 'chat-error' : 'chat-progress'}
            role="status"
          >
            {tr(shown.key, shown.args)}
          </p>
        )}
        <form
          class="chat-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (input.current) void submit(input.current);
          }}
        >
          <input
            ref={input}
            type="text"
            class="chat-input"
            data-testid="chat-input"
            maxLength={MAX_CHAT_TEXT}
            enterKeyHint="send"
            autoComplete="off"
            placeholder={tr(asking.value ? 'chat.askPlaceholder' : 'chat.placeholder')}
            onKeyDown={(e) => {
              // A Chinese (or any) input method uses Enter to pick the characters: never send then.
              if (e.key !== 'Enter' || e.isComposing || e.keyCode === 229) return;
              e.preventDefault();
              if (input.current) void submit(input.current);
            }}
          />
          <button type="submit" class="btn btn-primary btn-small" data-testid="chat-send" disabled={busy.value}>
            {tr('chat.send')}
          </button>
        </form>
        <div class="chat-actions">
          {opts.side === 'staff' && (
            <button
              type="button"
              class={`btn btn-small${asking.value ? ' active' : ''}`}
              data-testid="chat-ask-document"
              onClick={() => {
                asking.value = !asking.value;
                input.current?.focus();
              }}
            >
              {tr(asking.value ? 'chat.askCancel' : 'chat.askDocument')}
            </button>
          )}
          {opts.sendDocument && (
            <>
              <button
                type="button"
                class="btn btn-small"
                data-testid="chat-send-document"
                disabled={busy.value}
                onClick={() => {
                  request.value = null;
                  file.current?.click();
                }}
              >
                {tr('chat.sendDocument')}
              </button>
              <input
                ref={file}
                type="file"
                hidden
                data-testid="chat-file"
                accept="image/*,application/pdf"
                onChange={(e) => {
                  const picked = e.currentTarget.files?.[0];
                  e.currentTarget.value = '';
                  if (picked) void upload(picked);
                }}
              />
            </>
          )}
        </div>
      </section>
    );
  }

  const offs = [
    opts.session.onServer('chat.message', (m) => add([m], true)),
    // A reconnect may have missed messages: read the history again.
    opts.session.on('state', (state) => state === 'connected' && load()),
  ];
  render(<ChatButton />, buttonHost);
  render(<Panel />, panelHost);
  load();
  return {
    setOpen,
    dispose() {
      for (const off of offs) off();
      render(null, buttonHost);
      render(null, panelHost);
    },
  };
}
