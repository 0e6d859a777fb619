// Auditor replay page (replay.html), for auditors, admins and an inspection's surveyors. Hash routes:
//   #/                      recorded inspections, with filters
//   #/recordings/<id>       the synchronised player and the timeline of one recording
// Sign-in happens on the console (index.html); the session cookie is shared.
import '../styles.css';
import './replay.css';
import { INSPECTION_STATUSES, type RecordingTimelineView, type ReplayInspectionView, type StorageStateView } from '@cloudship/shared';
import { call, errorCode } from '../api';
import { initI18n, languageButton, t } from '../i18n';
import { button, el, messageBox } from '../ui/dom';
import { createPlayer, type ReplayPlayer } from './player';

initI18n();
const app = document.getElementById('app') ?? document.body;
const main = el('main', { class: 'container' });
let player: ReplayPlayer | null = null;
declare global {
  interface Window {
    cloudshipReplay?: ReplayPlayer | null;
  }
}

const enc = encodeURIComponent;

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

async function showList(): Promise<void> {
  const form = el('form', { class: 'replay-filters', testid: 'replay-filters' });
  const input = (name: string, label: Parameters<typeof t>[0], type = 'text') => {
    const i = el('input', { attrs: { name, type }, data: { filter: name } });
    form.append(el('label', { class: 'field' }, [el('span', { t: label }), i]));
    return i;
  };
  const fields = [
    input('vessel', 'replay.filter.vessel'),
    input('registration', 'replay.filter.registration'),
    input('surveyor', 'replay.filter.surveyor'),
    input('from', 'replay.filter.from', 'date'),
    input('to', 'replay.filter.to', 'date'),
  ];
  const status = el('select', { attrs: { name: 'status' } }, [
    el('option', { t: 'replay.filter.any', attrs: { value: '' } }),
    ...INSPECTION_STATUSES.map((s) => el('option', { t: `status.${s}`, attrs: { value: s } })),
  ]);
  form.append(el('label', { class: 'field' }, [el('span', { t: 'replay.filter.status' }), status]));
  const search = button({ kind: 'primary', testid: 'replay-search', t: 'replay.filter.apply' });
  search.type = 'submit'; // button() makes plain buttons
  form.append(search);
  const list = el('div', { testid: 'replay-list' });
  const error = messageBox('replay-error');
  const storage = el('div', { testid: 'replay-storage' });
  main.replaceChildren(el('h1', { t: 'replay.heading' }), form, error.el, list, storage);

  async function load(): Promise<void> {
    const q = new URLSearchParams();
    for (const f of [...fields, status]) if (f.value) q.set(f.name, f.value);
    try {
      const { inspections } = await call<{ inspections: ReplayInspectionView[] }>('GET', `/api/replay/inspections?${q}`);
      error.show(null);
      list.replaceChildren(
        inspections.length === 0
          ? el('p', { class: 'muted', t: 'replay.empty' })
          : el(
              'table',
              { class: 'table' },
              inspections.map((i) =>
                el('tr', { data: { inspection: i.id } }, [
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
                          el('a', { class: 'nav-link', testid: 'replay-open', attrs: { href: `#/recordings/${r.id}` } }, [
                            el('span', { t: 'replay.open' }),
                            el('span', { text: ` (${t(`replay.state.${r.state}`)}, ${r.segments})` }),
                          ]),
                        )
                      : [el('span', { class: 'muted', t: 'replay.noRecording' })],
                  ),
                ]),
              ),
            ),
      );
    } catch (err) {
      error.showError(errorCode(err));
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  await load();
  // Admins also see the upload state of every recording.
  call<{ recordings: StorageStateView[]; disk?: StorageDiskView }>('GET', '/api/admin/storage').then(
    ({ recordings, disk }) =>
      storage.replaceChildren(
        el('h2', { t: 'replay.storage' }),
        ...[diskBanner(disk)].filter((n) => n !== null),
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
    () => undefined, // not an admin: nothing to show
  );
}

async function showRecording(id: string): Promise<void> {
  const error = messageBox('replay-error');
  main.replaceChildren(el('a', { class: 'nav-link', t: 'replay.back', attrs: { href: '#/' } }), error.el);
  try {
    const view = await call<RecordingTimelineView>('GET', `/api/recordings/${enc(id)}/timeline`);
    player = createPlayer(view);
    window.cloudshipReplay = player;
    main.append(el('h1', { text: `${view.inspection.vesselName} · ${view.inspection.registrationNumber}` }), player.root);
  } catch (err) {
    error.showError(errorCode(err));
  }
}

function route(): void {
  player?.dispose();
  player = null;
  window.cloudshipReplay = null;
  const m = /^#\/recordings\/([^/?#]+)/.exec(location.hash);
  void (m ? showRecording(decodeURIComponent(m[1]!)) : showList());
}

async function boot(): Promise<void> {
  app.replaceChildren(
    el('header', { class: 'topbar' }, [
      el('a', { class: 'brand', attrs: { href: '/' } }, [el('span', { t: 'app.name' })]),
      el('div', { class: 'topbar-right' }, [languageButton()]),
    ]),
    main,
  );
  try {
    await call('GET', '/api/me');
  } catch {
    main.replaceChildren(el('p', {}, [el('a', { t: 'replay.signIn', attrs: { href: '/' } })]));
    return;
  }
  window.addEventListener('hashchange', route);
  route();
}

void boot();
