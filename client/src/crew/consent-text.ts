// The consent screen's words, which the phone seals with the crew's consent: the SHA-256 of the
// lines exactly as shown, in the language shown, joined with "\n" (README, Sealed evidence).
import { t } from '../i18n';

export const CONSENT_KEYS = ['crew.consentTitle', 'crew.consentCamera', 'crew.consentMicrophone', 'crew.consentRecording'] as const;

export async function consentTextSha256(): Promise<string | undefined> {
  // crypto.subtle exists in secure contexts only (HTTPS, loopback); elsewhere no hash is sent.
  if (!globalThis.crypto?.subtle) return undefined;
  const text = CONSENT_KEYS.map((k) => t(k)).join('\n');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
