// Response headers against the real server: the Content-Security-Policy and the other security
// headers on pages and API answers (helmet, http/security-headers.ts), the own policies of the
// pages the server renders (the crew link's error page, the printable report), HSTS over HTTPS
// only; evidence files served with their sniffed type, nosniff and a safe Content-Disposition;
// a malformed percent-escape in a path is 400, not 500.
import crypto from 'node:crypto';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { TINY_JPEG, crewUpload } from '../helpers/record-fixtures';
import { rawRequest } from '../helpers/raw-http';
import { useFixture, type Staff } from '../helpers/fixtures';

/** The CSP directives as a map: name -> its sources. */
function csp(headers: IncomingHttpHeaders): Map<string, string[]> {
  const value = String(headers['content-security-policy'] ?? '');
  expect(value).not.toBe('');
  return new Map(
    value
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...sources] = d.split(/\s+/);
        return [name!, sources];
      }),
  );
}

/** The CSP source that allows exactly the first inline <style> of `html`. */
function inlineStyleHash(html: string): string {
  const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
  expect(css).toBeDefined();
  return `'sha256-${crypto.createHash('sha256').update(css!, 'utf8').digest('base64')}'`;
}

function expectCommonHeaders(headers: IncomingHttpHeaders): void {
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['strict-transport-security']).toBeUndefined(); // plain HTTP here
  expect(headers['x-powered-by']).toBeUndefined();
}

describe('over HTTP', () => {
  const fx = useFixture();
  let surveyor: Staff;
  beforeAll(async () => {
    surveyor = await fx.account('surveyor', 'headers1');
  });

  test('the application pages and the API carry the CSP and the security headers', async () => {
    const url = new URL(fx.server.url);
    for (const path of ['/', '/index.html', '/replay.html', '/api/me']) {
      const r = await rawRequest(fx.server.url, 'GET', path);
      expect([path, r.status]).toEqual([path, path === '/api/me' ? 401 : 200]);
      expectCommonHeaders(r.headers);
      const d = csp(r.headers);
      expect(d.get('default-src')).toEqual(["'self'"]);
      expect(d.get('script-src')).toEqual(["'self'"]);
      expect(d.get('script-src-attr')).toEqual(["'none'"]);
      expect(d.get('style-src')).toEqual(["'self'"]);
      expect(d.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
      expect(d.get('media-src')).toEqual(["'self'", 'blob:']);
      expect(d.get('connect-src')).toEqual(["'self'", `ws://${url.host}`]);
      expect(d.get('object-src')).toEqual(["'none'"]);
      expect(d.get('base-uri')).toEqual(["'none'"]);
      expect(d.get('frame-ancestors')).toEqual(["'none'"]);
      expect(d.has('upgrade-insecure-requests')).toBe(false); // would break plain HTTP
      expect(String(r.headers['content-security-policy'])).not.toContain('unsafe');
    }
  });

  test('a crew link that does not work gets the error page with its own policy: its inline style by hash, nothing else', async () => {
    for (const token of ['not-a-token', 'x.y']) {
      const r = await rawRequest(fx.server.url, 'GET', `/join/${token}`);
      expect(r.status).toBe(401);
      expect(r.text).toContain('data-code="UNAUTHENTICATED"');
      expectCommonHeaders(r.headers);
      const d = csp(r.headers);
      expect(d.get('default-src')).toEqual(["'none'"]);
      expect(d.get('style-src')).toEqual([inlineStyleHash(r.text)]);
      expect(d.get('frame-ancestors')).toEqual(["'none'"]);
      expect(d.get('base-uri')).toEqual(["'none'"]);
      expect(r.text).not.toMatch(/<script|style=/);
    }
    // A working link serves the phone page under the application policy.
    const { token } = await fx.inspectionWithLink(surveyor.cookie);
    const page = await rawRequest(fx.server.url, 'GET', `/join/${token}`);
    expect(page.status).toBe(200);
    expect(csp(page.headers).get('script-src')).toEqual(["'self'"]);
  });

  test('the printable report has its own policy: its inline style sheet by hash, images from us or data:', async () => {
    const { inspection, token } = await fx.inspectionWithLink(surveyor.cookie);
    expect((await crewUpload(fx.server, token, TINY_JPEG, { query: { initiative: 'crew' } })).status).toBe(201);
    const r = await rawRequest(fx.server.url, 'GET', `/api/inspections/${inspection.id}/report.html`, {
      headers: { cookie: surveyor.cookie },
    });
    expect(r.status).toBe(200);
    expect(r.text).toContain('<img src="/api/inspections/');
    expect(r.text).not.toMatch(/<script|style=/);
    expectCommonHeaders(r.headers);
    const d = csp(r.headers);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('style-src')).toEqual([inlineStyleHash(r.text)]);
    expect(d.get('img-src')).toEqual(["'self'", 'data:']);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
  });

  test('an evidence file: its type from the magic bytes, nosniff, inline with the evidence id as file name', async () => {
    const { inspection, token } = await fx.inspectionWithLink(surveyor.cookie);
    // Starts like a JPEG, carries HTML: a browser that sniffed would render it as a page.
    const polyglot = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
      Buffer.from('<html><script>alert(document.cookie)</script></html>'),
    ]);
    const uploaded = await crewUpload(fx.server, token, polyglot, { contentType: 'image/png', query: { initiative: 'crew' } });
    expect(uploaded.status).toBe(201);
    const id = uploaded.body.evidence.id as string;
    const r = await rawRequest(fx.server.url, 'GET', `/api/inspections/${inspection.id}/evidence/${id}/file`, {
      headers: { cookie: surveyor.cookie },
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('image/jpeg');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-disposition']).toBe(`inline; filename="${id}.jpg"`);
    expect(r.bytes.equals(polyglot)).toBe(true);
  });

  test('a malformed percent-escape in a path is 400 BAD_REQUEST with a JSON error (a crew link: its page), not 500', async () => {
    for (const path of ['/api/inspections/%E0%A4%A', '/api/inspections/%E0%A4%A/record', '/api/%ZZ', '/assets/%C0']) {
      for (const cookie of [undefined, surveyor.cookie]) {
        const r = await rawRequest(fx.server.url, 'GET', path, { headers: cookie ? { cookie } : {} });
        expect([path, r.status]).toEqual([path, 400]);
        expect(r.headers['content-type']).toMatch(/^application\/json/);
        expect(r.json.error.code).toBe('BAD_REQUEST');
        expect(r.json.error.message).toMatch(/percent-encoding/);
      }
    }
    // A crew link mangled so: the phone gets the link's explanation page, 400 too.
    for (const path of ['/join/%E0%A4%A', '/j/%E0%A4%A']) {
      const r = await rawRequest(fx.server.url, 'GET', path);
      expect([path, r.status]).toEqual([path, 400]);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.text).toContain('data-code="BAD_REQUEST"');
    }
  });
});

describe('over HTTPS', () => {
  const fx = useFixture({ env: { HTTPS: 'true' } });

  test('HSTS is sent, and the policy upgrades insecure requests and allows wss: of this server', async () => {
    const url = new URL(fx.server.url);
    const headers = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      // The test server's certificate is self-signed.
      const req = https.get({ host: url.hostname, port: url.port, path: '/', rejectUnauthorized: false, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers));
      });
      req.on('error', reject);
    });
    expect(headers['strict-transport-security']).toBe('max-age=15552000');
    const d = csp(headers);
    expect(d.has('upgrade-insecure-requests')).toBe(true);
    expect(d.get('connect-src')).toEqual(["'self'", `wss://${url.host}`]);
  });
});
