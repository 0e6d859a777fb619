// Debian's Firefox ESR driven by puppeteer-core over WebDriver BiDi, for a crew phone in Firefox.
// Fake camera and microphone without a prompt (Firefox's own test prefs). Firefox gathers no ICE
// candidate on 127.0.0.1: the media server must also listen on another address of the machine
// (a veth pair's host side, test/helpers/netns.ts).
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export async function launchFirefox(): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    extraPrefsFirefox: {
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      'media.autoplay.default': 0,
      // Quiet: no update checks, telemetry or first-run pages on a machine without the internet.
      'app.update.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'browser.shell.checkDefaultBrowser': false,
    },
  });
}

/**
 * A phone-sized page. Firefox's own user agent is kept: mediasoup-client picks its handler by it,
 * and a Chrome-on-Android agent would make it drive Firefox like Chrome.
 */
export async function firefoxPhonePage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 393, height: 851, deviceScaleFactor: 1, isMobile: false, hasTouch: false });
  return page;
}
