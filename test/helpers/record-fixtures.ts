// Fixtures for the inspection-record and chat tests: a real (tiny) JPEG and the crew's upload calls
// (a still to /api/crew/evidence, a document to /api/crew/documents with `path`).
import type { TestServer } from './test-server';

/** A 64x48 JPEG made with ffmpeg (lavfi color source). */
export const TINY_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgEBAQEBAUFBQUFBQYGBgYGBgYGBgYGBgYHBwcICAgHBwcGBgcHCAgICAkJCQgICAgJCQoKCgwMCwsODg4RERT/xABMAAEBAAAAAAAAAAAAAAAAAAAABAEBAQAAAAAAAAAAAAAAAAAAAAYQAQAAAAAAAAAAAAAAAAAAAAARAQAAAAAAAAAAAAAAAAAAAAD/wAARCAAwAEADASIAAhEAAxEA/9oADAMBAAIRAxEAPwCUBRp0AAAAAAAAAAAAAAAAAAAAAB//2Q==',
  'base64',
);

export async function crewUpload(
  server: TestServer,
  token: string,
  body: Buffer | string,
  opts: { contentType?: string; query?: Record<string, string>; path?: string } = {},
): Promise<{ status: number; body: any }> {
  const qs = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : '';
  const res = await fetch(`${server.url}${opts.path ?? '/api/crew/evidence'}${qs}`, {
    method: 'POST',
    headers: { authorization: `Crew ${token}`, 'content-type': opts.contentType ?? 'image/jpeg' },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}
