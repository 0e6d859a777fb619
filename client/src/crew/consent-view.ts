// The invitation and consent screen: what will be shared, a name, and the join button.
import type { CrewInvitationView } from '@cloudship/shared';
import { errorCode } from '../api';
import { bindText, languageButton, onLanguageChange, t } from '../i18n';
import { LiveSession } from '../live-session';
import { getCameraAndMicrophone } from '../local-media';
import { exposeSession } from '../test-hooks';
import { el, field, messageBox } from '../ui/dom';
import { icon } from '../ui/icons';
import { consentTextSha256 } from './consent-text';
import { setPositionConsent } from './field-controls';

const NAME_KEY = 'cloudship.crewName';

function rememberedName(): string | null {
  try {
    return localStorage.getItem(NAME_KEY);
  } catch {
    return null;
  }
}

export function mountConsentView(
  root: HTMLElement,
  invitation: CrewInvitationView,
  token: string,
  onJoined: (session: LiveSession) => void,
  /** The crew chose to take the link over from another phone (after SEAT_TAKEN). */
  options: { takeOver?: boolean } = {},
): void {
  const name = el('input', {
    attrs: { id: 'crew-name', name: 'crew-name', maxlength: 80, autocomplete: 'name', enterkeyhint: 'go' },
  });
  name.value = rememberedName() ?? t('crew.defaultName');
  // Follow a language switch while the default name is untouched ("船员" <-> "Crew").
  let defaultName = t('crew.defaultName');
  const offLanguage = onLanguageChange(() => {
    if (name.value === defaultName) name.value = t('crew.defaultName');
    defaultName = t('crew.defaultName');
  });

  const error = messageBox('crew-join-error');
  const sharePosition = el('input', {
    testid: 'share-position',
    attrs: { type: 'checkbox', id: 'share-position', name: 'share-position' },
  });
  const joinButton = el('button', {
    class: 'btn btn-primary btn-block btn-large',
    testid: 'crew-join',
    t: 'crew.join',
    attrs: { type: 'submit' },
  });

  const form = el('form', { class: 'card crew-card', testid: 'consent' }, [
    el('h1', { t: 'crew.title' }),
    el('p', { class: 'lead', t: 'crew.invitedBy', tArgs: { name: invitation.surveyorName } }),
    el('dl', { class: 'particulars', testid: 'invitation' }, [
      ...field('crew.vessel', invitation.vesselName),
      ...field('crew.registration', invitation.registrationNumber),
      ...field('crew.place', invitation.place),
      ...field('crew.surveyor', invitation.surveyorName),
      ...field('crew.expires', el('time', { date: invitation.expiresAt })),
    ]),
    el('h2', { t: 'crew.consentTitle' }),
    el('ul', { class: 'consent-list' }, [
      el('li', {}, [icon('camera'), el('span', { t: 'crew.consentCamera' })]),
      el('li', {}, [icon('mic'), el('span', { t: 'crew.consentMicrophone' })]),
      el('li', {}, [icon('record'), el('span', { t: 'crew.consentRecording' })]),
    ]),
    // Position sharing is opt-in: GPS at joining and every minute, only with this box ticked.
    el('label', { class: 'field field-check', attrs: { for: 'share-position' } }, [
      sharePosition,
      el('span', { t: 'field.sharePosition' }),
    ]),
    el('label', { class: 'field', attrs: { for: 'crew-name' } }, [el('span', { t: 'crew.name' }), name]),
    error.el,
    joinButton,
  ]);

  let joining = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setPositionConsent(sharePosition.checked);
    void join();
  });

  async function join(): Promise<void> {
    if (joining) return;
    joining = true;
    error.show(null);
    joinButton.disabled = true;
    bindText(joinButton, 'crew.joining');
    const displayName = name.value.trim() || t('crew.defaultName');
    try {
      localStorage.setItem(NAME_KEY, displayName);
    } catch {
      // not remembered: fine
    }

    // Open the camera and join the room at the same time: on a phone each takes from a few hundred
    // ms to a second, and the surveyor is waiting for the first picture. The publisher produces the
    // tracks on whichever finishes last.
    const consentedAt = new Date().toISOString();
    const textSha256 = await consentTextSha256().catch(() => undefined);
    const session = new LiveSession({
      auth: { crewToken: token },
      displayName,
      consentedAt,
      ...(textSha256 ? { consentTextSha256: textSha256 } : {}),
      takeOver: options.takeOver ?? false,
    });
    exposeSession(session);
    const started = session.start();
    started.catch(() => undefined); // reported through the session's 'state' events
    try {
      const { camera, microphone } = await getCameraAndMicrophone('environment');
      if (camera) void session.produceCamera({ facingMode: 'environment', track: camera }).catch(() => undefined);
      if (microphone) void session.produceMicrophone({ track: microphone }).catch(() => undefined);
    } catch (err) {
      // No camera or microphone: nothing to inspect with. Leave the room and explain.
      session.close();
      exposeSession(null);
      error.showError(errorCode(err));
      bindText(joinButton, 'crew.join');
      joinButton.disabled = false;
      joining = false;
      return;
    }
    offLanguage();
    rememberConsent(token);
    onJoined(session);
  }

  root.replaceChildren(
    el('main', { class: 'crew-page' }, [
      el('div', { class: 'crew-bar' }, [el('span', { class: 'brand', t: 'app.name' }), languageButton()]),
      form,
    ]),
  );
  // A reload (or the browser restoring the tab) during a session: the crew already consented in
  // this tab, so rejoin at once with the same link, i.e. as the same participant, without a tap.
  if (consentedBefore(token)) void join();
}

const CONSENT_KEY = 'cloudship.consented.';

function rememberConsent(token: string): void {
  try {
    sessionStorage.setItem(CONSENT_KEY + token.slice(-24), '1');
  } catch {
    // storage refused: the crew taps "join" again after a reload
  }
}

function consentedBefore(token: string): boolean {
  try {
    return sessionStorage.getItem(CONSENT_KEY + token.slice(-24)) === '1';
  } catch {
    return false;
  }
}
