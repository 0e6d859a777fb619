// Inspection record (inspection-record/), the crew phone's part: when the surveyor presses
// "capture", take a full-resolution still of the camera and upload it (automatically, with a brief
// "photo taken" notice); when the surveyor concludes, ask the crew to acknowledge by typing a name.
import './inspection-record.css';
import type { ConclusionView, CrewConclusionView } from '@cloudship/shared';
import { errorCode } from '../api';
import { errorMessage, getLanguage, type MessageKey } from '../i18n';
import type { LiveSession } from '../live-session';
import { recordApi } from './record-api';
import { el, messageBox, replaceChildren } from '../ui/dom';
import { log } from '../util';

type ImageCaptureCtor = new (track: MediaStreamTrack) => { takePhoto(): Promise<Blob> };

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);
}

/**
 * A still at the camera's full resolution: ImageCapture.takePhoto() where the browser has it (it
 * may use the sensor's photo mode, above the video resolution); otherwise one frame of the track
 * drawn at its native size (never the size of the preview on screen).
 */
export async function takeStill(track: MediaStreamTrack): Promise<Blob> {
  const IC = (window as unknown as { ImageCapture?: ImageCaptureCtor }).ImageCapture;
  if (IC) {
    try {
      const blob = await withTimeout(new IC(track).takePhoto(), 8_000);
      if (blob.size > 0) return blob;
    } catch (err) {
      log('takeStill() | takePhoto failed, using a video frame', { error: String(err) });
    }
  }
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([track]);
  await video.play();
  if (!video.videoWidth) await new Promise((resolve) => video.addEventListener('resize', resolve, { once: true }));
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')!.drawImage(video, 0, 0, canvas.width, canvas.height);
  video.srcObject = null;
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
  if (!blob) throw Object.assign(new Error('no image'), { code: 'MEDIA_NOT_FOUND' });
  return blob;
}

/** The position, only if the crew already allowed it (this never opens a permission prompt). */
async function sharedPosition(): Promise<{ lat?: number; lon?: number; accuracy?: number }> {
  try {
    const status = await navigator.permissions?.query({ name: 'geolocation' });
    if (status?.state !== 'granted') return {};
    const pos = await new Promise<GeolocationPosition>((resolve, reject) =>
      navigator.geolocation.getCurrentPosition(resolve, reject, { timeout: 3_000, maximumAge: 60_000 }),
    );
    return { lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy: pos.coords.accuracy };
  } catch {
    return {};
  }
}

export function attachCrewRecord(session: LiveSession, token: string): void {
  const notice = messageBox('photo-notice', 'info');
  notice.el.classList.add('crew-toast');
  const ackBox = el('section', { class: 'crew-ack card', attrs: { hidden: true } });
  document.body.append(notice.el, ackBox);
  let noticeTimer: ReturnType<typeof setTimeout> | undefined;
  let acknowledged = false;

  function flash(key: MessageKey, args?: Record<string, string>): void {
    notice.show(key, args);
    if (key === 'crewRecord.photoTaken') notice.el.dataset.testid = 'photo-taken';
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => notice.show(null), 4_000);
  }

  session.on(
    'captureRequested',
    ({ requestId }) =>
      void (async () => {
        const track = session.local.cameraTrack;
        if (!track || track.readyState !== 'live') return flash('crewRecord.photoFailed', { reason: errorMessage('MEDIA_NOT_FOUND') });
        try {
          const [blob, position] = await Promise.all([takeStill(track), sharedPosition()]);
          await recordApi.uploadEvidence(token, blob, { requestId, capturedAt: new Date().toISOString(), ...position });
          flash('crewRecord.photoTaken');
        } catch (err) {
          flash('crewRecord.photoFailed', { reason: errorMessage(errorCode(err)) });
        }
      })(),
  );

  function showAck(view: CrewConclusionView): void {
    const c: ConclusionView | null = view.conclusion;
    if (!c || acknowledged) return;
    if (c.acknowledgedAt) return;
    const zh = getLanguage() === 'zh-CN';
    const name = el('input', { testid: 'ack-name', attrs: { maxlength: 80, autocomplete: 'name', required: true } });
    const error = messageBox('ack-error');
    const submit = el('button', {
      class: 'btn btn-primary btn-block btn-large',
      testid: 'ack-submit',
      t: 'crewRecord.ackSubmit',
      attrs: { type: 'submit' },
    });
    const form = el('form', { testid: 'ack-form' }, [
      el('h2', { t: 'crewRecord.ackTitle' }),
      el('p', { class: 'lead', testid: 'ack-outcome', data: { outcome: c.outcome }, t: `conclusion.${c.outcome}` as MessageKey }),
      c.remarks ? el('p', { text: c.remarks }) : null,
      view.deficiencies.length
        ? el('div', {}, [
            el('h3', { t: 'crewRecord.deficiencies' }),
            el(
              'ul',
              {},
              view.deficiencies.map((d) =>
                el('li', { text: `${zh ? d.titleZh : d.titleEn}${d.deadline ? ` (${d.deadline})` : ''}${d.note ? ` — ${d.note}` : ''}` }),
              ),
            ),
          ])
        : null,
      el('p', { class: 'muted', t: 'crewRecord.ackHint' }),
      el('label', { class: 'field' }, [el('span', { t: 'crewRecord.ackName' }), name]),
      error.el,
      submit,
    ]);
    form.addEventListener(
      'submit',
      (event) =>
        void (async () => {
          event.preventDefault();
          if (!name.value.trim()) return;
          submit.disabled = true;
          error.show(null);
          try {
            await recordApi.acknowledge(token, name.value.trim());
            acknowledged = true;
            replaceChildren(ackBox, [el('p', { class: 'lead', testid: 'acknowledged', t: 'crewRecord.acknowledged' })]);
          } catch (err) {
            error.showError(errorCode(err));
            submit.disabled = false;
          }
        })(),
    );
    replaceChildren(ackBox, [form]);
    ackBox.hidden = false;
  }

  const load = () =>
    recordApi.crewConclusion(token).then(showAck, (err: unknown) => log('crew record | conclusion not loaded', { code: errorCode(err) }));
  session.on('concluded', () => void load());
  // A reload after the conclusion: ask again.
  void load();
}
