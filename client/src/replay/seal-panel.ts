// The seal on the replay page: the inspection's evidence log checked in the browser with the same
// verifier as `npm run verify` (shared/src/seal-verify.ts, WebCrypto Ed25519 and SHA-256), against
// the keys the server publishes. Then each segment of this recording and each still, annotation and
// document of the inspection is fetched and hashed, and gets its badge: "verified", or "not
// verified" with the reason. Recordings above AUTO_CHECK_BYTES are hashed on request only (an
// auditor on a slow line should not download an hour of video without asking).
import {
  labelOf,
  PACKAGE_FORMAT,
  parseKeySet,
  SEAL_VERSION,
  sealedFileOf,
  verifyPackage,
  webSealCrypto,
  type RecordingTimelineView,
  type SealCheckpoint,
  type SealEntry,
  type SealPublicKey,
  type VerifyReport,
  bodyText,
} from '@cloudship/shared';
import { call } from '../api';
import { bindText, t, type MessageKey } from '../i18n';
import { el } from '../ui/dom';

const AUTO_CHECK_BYTES = 200 * 1024 * 1024;

declare global {
  interface Window {
    /** The seal panel of the recording shown (for the browser tests). */
    cloudshipSeal?: SealPanel | null;
  }
}

interface SealParts {
  entries: SealEntry[];
  checkpoints: SealCheckpoint[];
  publicKeys: SealPublicKey[];
}

export type FileVerdict = { ok: true } | { ok: false; reason: string };

/** What the page exposes to tests: the summary state and each file's verdict by entry label. */
export interface SealPanel {
  el: HTMLElement;
  done: Promise<void>;
  verdicts(): Record<string, { ok: boolean; reason?: string; kind: string; ref: string }>;
  /** Stops the file checks (the page moves on): no more downloads. */
  dispose(): void;
}

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

export function createSealPanel(view: RecordingTimelineView, onSegmentVerdict: (segmentId: string, v: FileVerdict) => void): SealPanel {
  const summary = el('p', { class: 'seal-summary', testid: 'seal-summary', t: 'seal.checking' });
  summary.dataset.state = 'checking';
  const progress = el('p', { class: 'seal-progress muted', testid: 'seal-progress' });
  const list = el('ul', { class: 'seal-files', testid: 'seal-files' });
  const checkButton = el('button', { class: 'btn btn-ghost', testid: 'seal-check-files', t: 'seal.checkFiles', attrs: { type: 'button' } });
  checkButton.hidden = true;
  const root = el('section', { class: 'card seal-panel', testid: 'seal-panel' }, [
    el('h2', { t: 'seal.title' }),
    summary,
    progress,
    checkButton,
    list,
  ]);
  const verdicts: ReturnType<SealPanel['verdicts']> = {};
  const stop = new AbortController();

  const setSummary = (
    state: 'verified' | 'not-verified' | 'checking' | 'unsealed' | 'error',
    key: MessageKey,
    args?: Record<string, string | number>,
  ) => {
    summary.dataset.state = state;
    bindText(summary, key, args);
  };

  const done = (async () => {
    let parts: SealParts;
    let keys: SealPublicKey[];
    try {
      parts = await call<SealParts>('GET', `/api/inspections/${encodeURIComponent(view.inspection.id)}/seal`);
      const set = parseKeySet(await (await fetch('/.well-known/cloudship-seal-keys.json', { signal: stop.signal })).json());
      if (set.error !== undefined) throw new Error(set.error);
      keys = set.keys;
    } catch {
      setSummary('error', 'seal.unavailable');
      return;
    }
    if (parts.entries.length === 0) {
      setSummary('unsealed', 'seal.noLog');
      return;
    }
    const crypto = webSealCrypto(globalThis.crypto.subtle);
    const report: VerifyReport = await verifyPackage(
      {
        v: SEAL_VERSION,
        format: PACKAGE_FORMAT,
        inspectionId: view.inspection.id,
        exportedAt: new Date().toISOString(),
        files: [],
        ...parts,
      },
      { crypto, trustedKeys: keys, requireFinal: false },
    );
    // Files are hashed here, as they are fetched: rule 5's "no path in files[]" does not apply.
    const byLabel = new Map(report.entries.map((v) => [v.label, v]));
    const logProblem = (e: SealEntry): string | null => {
      const v = byLabel.get(labelOf(e));
      const p = v?.problems.find((x) => x.rule !== 5);
      return p ? p.message : null;
    };
    const badChain = report.entries.filter((v) => v.problems.some((p) => p.rule !== 5 && !p.message.startsWith('not sealed: no valid')));
    const badCheckpoints = report.checkpoints.filter((c) => !c.ok);

    // The files of this recording's segments and of the inspection's evidence.
    const segmentUrl = new Map(view.tracks.flatMap((tr) => tr.segments.map((s) => [s.id, s.url] as const)));
    const targets = parts.entries.flatMap((e) => {
      const file = sealedFileOf(e);
      if (!file) return [];
      if (e.type === 'segment') {
        const url = segmentUrl.get(bodyText(e.body.segmentId));
        return url ? [{ e, file, url, kind: 'segment', ref: bodyText(e.body.segmentId) }] : [];
      }
      if (e.type === 'still' || e.type === 'annotation' || e.type === 'document') {
        const id = bodyText(e.body.evidenceId);
        return [
          {
            e,
            file,
            url: `/api/inspections/${encodeURIComponent(view.inspection.id)}/evidence/${encodeURIComponent(id)}/file`,
            kind: e.type,
            ref: id,
          },
        ];
      }
      return [];
    });

    let failed = badChain.length + badCheckpoints.length;
    const show = (label: string, kind: string, ref: string, v: FileVerdict) => {
      verdicts[label] = { kind, ref, ...v };
      if (kind === 'segment') onSegmentVerdict(ref, v);
      if (v.ok && kind === 'segment') return; // segments: on the timeline; the list names failures and evidence
      const item = el(
        'li',
        { class: v.ok ? 'seal-ok' : 'seal-fail', testid: 'seal-file', data: { label, state: v.ok ? 'verified' : 'not-verified' } },
        [
          el('span', { class: 'seal-badge', t: v.ok ? 'seal.verified' : 'seal.notVerified' }),
          el('span', { text: ` ${label}${v.ok ? '' : `: ${v.reason}`}` }),
        ],
      );
      list.append(item);
    };
    for (const c of badCheckpoints) {
      list.append(
        el('li', { class: 'seal-fail', testid: 'seal-file', data: { label: `checkpoint ${c.index + 1}`, state: 'not-verified' } }, [
          el('span', { class: 'seal-badge', t: 'seal.notVerified' }),
          el('span', { text: ` checkpoint ${c.index + 1}: ${c.problems.map((p) => p.message).join('; ')}` }),
        ]),
      );
    }
    for (const v of badChain) {
      if (targets.some((x) => labelOf(x.e) === v.label)) continue; // said with its file below
      show(v.label, 'entry', '', {
        ok: false,
        reason: v.problems
          .filter((p) => p.rule !== 5)
          .map((p) => p.message)
          .join('; '),
      });
    }

    const checkFiles = async () => {
      checkButton.hidden = true;
      let n = 0;
      for (const x of targets) {
        if (stop.signal.aborted) return;
        n += 1;
        bindText(progress, 'seal.progress', { n, total: targets.length });
        const label = labelOf(x.e);
        const problem = logProblem(x.e);
        let verdict: FileVerdict;
        try {
          const res = await fetch(x.url, { credentials: 'same-origin', signal: stop.signal });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          const bytes = await res.arrayBuffer();
          const sha = hex(await globalThis.crypto.subtle.digest('SHA-256', bytes));
          if (bytes.byteLength !== x.file.sizeBytes)
            verdict = { ok: false, reason: t('seal.sizeDiffers', { got: bytes.byteLength, want: x.file.sizeBytes }) };
          else if (sha !== x.file.sha256) verdict = { ok: false, reason: t('seal.hashDiffers') };
          else if (problem) verdict = { ok: false, reason: problem };
          else verdict = { ok: true };
        } catch (err) {
          if (stop.signal.aborted) return;
          verdict = { ok: false, reason: t('seal.unreadable', { why: err instanceof Error ? err.message : String(err) }) };
        }
        show(label, x.kind, x.ref, verdict);
      }
      delete progress.dataset.i18n;
      delete progress.dataset.i18nArgs;
      progress.textContent = '';
      // In the log's order: the first broken entry is the first line.
      const seqOf = (li: Element) => Number(/^#(\d+)/.exec((li as HTMLElement).dataset.label ?? '')?.[1] ?? 0);
      list.replaceChildren(...[...list.children].sort((a, b) => seqOf(a) - seqOf(b)));
      const unsealed = report.entries.some((v) => v.problems.some((p) => p.message.startsWith('not sealed: no valid')));
      // One count per entry or checkpoint named below (a segment with a broken link and a wrong hash is one).
      failed = Object.values(verdicts).filter((v) => !v.ok).length + badCheckpoints.length;
      if (failed) setSummary('not-verified', 'seal.summaryFailed', { failed });
      else
        setSummary(unsealed ? 'unsealed' : 'verified', unsealed ? 'seal.summaryUnsealed' : 'seal.summaryVerified', {
          files: targets.length,
          entries: parts.entries.length,
        });
    };
    const total = targets.reduce((sum, x) => sum + x.file.sizeBytes, 0);
    if (total <= AUTO_CHECK_BYTES) return checkFiles();
    setSummary(failed ? 'not-verified' : 'checking', failed ? 'seal.summaryFailed' : 'seal.filesWaiting', {
      failed,
      mb: Math.round(total / 1024 / 1024),
    });
    checkButton.hidden = false;
    await new Promise<void>((resolve) => checkButton.addEventListener('click', () => void checkFiles().then(resolve), { once: true }));
  })();

  return { el: root, done, verdicts: () => ({ ...verdicts }), dispose: () => stop.abort() };
}
