// The first admin, through the console: changes the one-time password, creates a surveyor; the
// surveyor then signs in with what the admin gave them.
import type { Browser } from 'puppeteer-core';
import { ADMIN, type TestServer } from '../helpers/test-server';
import { desktopPage, recordErrors } from '../helpers/browser';
import { useFixture } from '../helpers/fixtures';

const fx = useFixture({ browsers: 1 });
let server: TestServer;
let browser: Browser;
const errors: string[] = [];

beforeAll(() => {
  server = fx.server;
  browser = fx.browsers[0]!;
});

afterAll(() => {
  if (errors.length) console.log(errors.join('\n'));
});

async function signIn(username: string, password: string) {
  const context = await browser.createBrowserContext();
  const page = await desktopPage(context);
  errors.push(...recordErrors(page, username));
  await page.goto(server.url, { waitUntil: 'networkidle0' });
  await page.type('#username', username);
  await page.type('#password', password);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=account-name]');
  return page;
}

test('the admin changes the one-time password and creates a surveyor, who can then sign in', async () => {
  const admin = await signIn(ADMIN.username, ADMIN.password);
  await admin.click('[data-testid=nav-account]');
  await admin.waitForSelector('[data-testid=password-form]');
  await admin.type('[data-testid=password-form] [name=currentPassword]', ADMIN.password);
  await admin.type('[data-testid=password-form] [name=newPassword]', 'a-better-admin-password');
  await admin.click('[data-testid=password-form] button[type=submit]');
  await admin.waitForSelector('[data-testid=password-message]');

  const form = '[data-testid=create-account]';
  await admin.type(`${form} [name=username]`, 'li.surveyor');
  await admin.type(`${form} [name=displayName]`, '李验船师');
  await admin.select(`${form} [name=role]`, 'surveyor');
  await admin.type(`${form} [name=password]`, 'initial-password-1');
  await admin.click(`${form} button[type=submit]`);
  await admin.waitForSelector('[data-testid=account-row][data-username="li.surveyor"]');

  await expect(server.signIn(ADMIN.username, ADMIN.password)).rejects.toThrow();
  const surveyor = await signIn('li.surveyor', 'initial-password-1');
  expect(await surveyor.$eval('[data-testid=account-name]', (e) => e.textContent)).toBe('李验船师');
  // A surveyor's account page has the password form but not the staff list.
  await surveyor.click('[data-testid=nav-account]');
  await surveyor.waitForSelector('[data-testid=password-form]');
  expect(await surveyor.$('[data-testid=create-account]')).toBeNull();
});
