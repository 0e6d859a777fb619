// Content-Security-Policy for the few documents the server renders itself (the crew link's error
// page, the printable report): no script at all, their one inline <style> allowed by its SHA-256
// hash (CSP `'sha256-…'`), never `'unsafe-inline'`. The application pages' policy is in
// http/security-headers.ts.
import crypto from 'node:crypto';

/** The CSP source that allows exactly this inline style sheet. */
export function styleHash(css: string): string {
  return `'sha256-${crypto.createHash('sha256').update(css, 'utf8').digest('base64')}'`;
}

/**
 * The policy of a server-rendered page: nothing but its own inline styles (by hash) and images
 * from `imgSrc`; no scripts, no connections, never framed.
 */
export function renderedPageCsp(options: { styles: string[]; imgSrc?: string[] }): string {
  return [
    "default-src 'none'",
    `style-src ${options.styles.map(styleHash).join(' ')}`,
    `img-src ${options.imgSrc?.length ? options.imgSrc.join(' ') : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
