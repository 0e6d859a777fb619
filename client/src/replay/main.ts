// Auditor replay page (replay.html), for auditors, admins and an inspection's surveyors. Hash routes:
//   #/                      recorded inspections, with filters
//   #/recordings/<id>       the synchronised player and the timeline of one recording
// Sign-in happens on the console (index.html); the session cookie is shared. The top bar leads back
// to the console and signs out (replay-header.ts).
import '../styles.css';
import './replay.css';
import { can, type AccountView, type InspectionPage, type ReplayInspectionView, type StorageStateView } from '@cloudship/shared';
import { call, errorCode } from '../api';
import { initI18n, t } from '../i18n';
import { append, el, messageBox, replaceChildren } from '../ui/dom';
import { createListFilters, createPager } from '../ui/inspection-list-controls';
import type { ReplayPlayer } from './player';
import { showRecordingPage } from './recording-page';
import { replayHeader } from './replay-header';
import { recordingLength } from '../review/time-format';

initI18n();
const app = document.getElementById('app') ?? document.body;
const main = el('main', { class: 'container' });
let player: ReplayPlayer | null = null;
let account: AccountView | null = null;
declare global {
  interface Window {
    cloudshipReplay?: ReplayPlayer | null;
  }
}

/** The recording staging disk in GET /api/admin/storage (its guard: server/src/storage/disk-space.ts). */
interface StorageDiskView {
  state: 'ok' | 'low' | 'full';
  freeBytes: number;
  lowMb: number;
  minFreeMb: number;
}

function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${Math.floor(n / 1024 ** 2)} MB`;
}

/** Object lock of uploads (S3_OBJECT_LOCK_DAYS, server/src/storage/object-store.ts). */
interface ObjectLockView {
  state: 'off' | 'active' | 'unsupported';
  days: number | null;
  reason?: string;
}

/** Whether the store itself keeps recordings from being changed or deleted: the seal only detects it. */
function lockLine(lock: ObjectLockView | undefined): HTMLElement | null {
  if (!lock) return null;
  const key = lock.state === 'active' ? 'replay.lock.active' : lock.state === 'unsupported' ? 'replay.lock.unsupported' : 'replay.lock.off';
  return el('p', {
    class: lock.state === 'unsupported' ? 'message message-error' : 'muted',
    testid: 'storage-lock',
    data: { state: lock.state },
    t: key,
    tArgs: { days: lock.days ?? 0, reason: lock.reason ?? '' },
  });
}

/** At the top of the storage view: a banner while the staging disk is low or full, one quiet line otherwise. */
function diskBanner(disk: StorageDiskView | undefined): HTMLElement | null {
  if (!disk) return null;
  const tArgs = { free: formatBytes(disk.freeBytes), low: disk.lowMb, min: disk.minFreeMb };
  if (disk.state === 'ok') return el('p', { class: 'muted', testid: 'storage-disk', data: { state: 'ok' }, t: 'replay.disk.ok', tArgs });
  const full = disk.state === 'full';
  return el(
    'div',
    {
      class: `message ${full ? 'message-error' : 'badge-muted'}`,
      testid: 'storage-disk',
      data: { state: disk.state },
      attrs: { role: full ? 'alert' : 'status' },
    },
    [
      el('strong', { t: full ? 'replay.disk.full' : 'replay.disk.low', tArgs }),
      el('div', { t: full ? 'replay.disk.fullDetail' : 'replay.disk.lowDetail', tArgs }),
    ],
  );
}

/** One inspection of the replay list, with a link to each of its recordings. */
function replayRow(i: ReplayInspectionView): HTMLTableRowElement {
  return el('tr', { data: { inspection: i.id } }, [
    el('td', { text: i.vesselName }),
    el('td', { text: i.registrationNumber }),
    el('td', { text: i.surveyorName }),
    el('td', { date: i.startedAt ?? i.scheduledAt }),
    el('td', { t: `status.${i.status}` }),
    el(
      'td',
      {},
      i.recordings.length
        ? i.recordings.map((r) =>
            el('a', {
              class: 'replay-open',
              testid: 'replay-open',
              attrs: { href: `#/recordings/${r.id}`, title: t('replay.segmentsTitle', { count: r.segments }) },
              t: 'replay.openLabel',
              tArgs: { state: t(`replay.state.${r.state}`), duration: recordingLength(r) },
            }),
          )
        : [el('span', { class: 'muted', t: 'replay.noRecording' })],
    ),
  ]);
}

async function showList(): Promise<void> {
  const filters = createListFilters({ surveyor: true, onSearch: () => void load() });
  const rows = el('tbody');
  const table = el('table', { class: 'table' }, [rows]);
  const empty = el('p', { class: 'muted', testid: 'replay-empty', t: 'replay.empty', attrs: { hidden: true } });
  const error = messageBox('replay-error');
  const pager = createPager<ReplayInspectionView>({
    fetchPage: async (cursor) => {
      const q = filters.params();
      if (cursor) q.set('cursor', cursor);
      const page = await call<InspectionPage<ReplayInspectionView>>('GET', `/api/replay/inspections?${q}`);
      return { items: page.inspections, nextCursor: page.nextCursor };
    },
    show: (inspections, more) => {
      error.show(null);
      if (more) append(rows, inspections.map(replayRow));
      else replaceChildren(rows, inspections.map(replayRow));
      empty.hidden = rows.childElementCount > 0;
      table.hidden = rows.childElementCount === 0;
    },
    onError: (err) => error.showError(errorCode(err)),
  });
  const list = el('div', { testid: 'replay-list' }, [table, empty]);
  const storage = el('div', { testid: 'replay-storage' });
  main.replaceChildren(el('h1', { t: 'replay.heading' }), filters.el, error.el, list, pager.el, storage);

  const load = () => pager.reload();
  await load();
  // Admins also see the upload state of every recording (others are not asked: it would be a 403).
  if (!account || !can(account.role, 'recording.storage')) return;
  void call<{ recordings: StorageStateView[]; disk?: StorageDiskView; objectLock?: ObjectLockView }>('GET', '/api/admin/storage').then(
    ({ recordings, disk, objectLock }) =>
      storage.replaceChildren(
        el('h2', { t: 'replay.storage' }),
        ...[diskBanner(disk), lockLine(objectLock)].filter((n) => n !== null),
        el(
          'table',
          { class: 'table' },
          recordings.map((r) =>
            el('tr', { data: { recording: r.recordingId } }, [
              el('td', { text: r.vesselName }),
              el('td', { date: r.startedAt }),
              el('td', { text: r.state }),
              el('td', { t: 'replay.storage.counts', tArgs: { uploaded: r.uploaded, pending: r.pending + r.uploading, failed: r.failed } }),
            ]),
          ),
        ),
      ),
    () => undefined, // the storage state is extra: the list stands without it
  );
}

let routed = 0;
async function showRecording(id: string): Promise<void> {
  const mine = ++routed;
  const shown = await showRecordingPage(main, id, account);
  if (mine !== routed) return shown?.dispose(); // the page moved on meanwhile
  player = shown;
  window.cloudshipReplay = shown;
}

function route(): void {
  routed++;
  player?.dispose();
  player = null;
  window.cloudshipReplay = null;
  const m = /^#\/recordings\/([^/?#]+)/.exec(location.hash);
  void (m ? showRecording(decodeURIComponent(m[1]!)) : showList());
}

async function boot(): Promise<void> {
  try {
    account = (await call<{ account: AccountView }>('GET', '/api/me')).account;
  } catch {
    app.replaceChildren(replayHeader(null), main);
    main.replaceChildren(el('p', {}, [el('a', { t: 'replay.signIn', attrs: { href: '/' } })]));
    return;
  }
  app.replaceChildren(
    replayHeader(account, () => {
      routed++;
      player?.dispose();
      player = null;
    }),
    main,
  );
  window.addEventListener('hashchange', route);
  route();
}

void boot();
