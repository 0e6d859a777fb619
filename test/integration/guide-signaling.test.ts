// The surveyor's guidance over real signaling (guide-protocol.ts): a pointer and a frozen still with
// drawings reach the crew of that inspection only; bad coordinates, oversized drawings, a still of
// another inspection and the wrong role are refused with a clear error and reach nobody. An
// annotated still keeps its original untouched.
import crypto from 'node:crypto';
import { MAX_ANNOTATION_SHAPES, MAX_ANNOTATION_TEXT } from '@cloudship/shared';
import type { TestServer } from '../helpers/test-server';
import { useFixture } from '../helpers/fixtures';

const fx = useFixture();
let server: TestServer;
let surveyorCookie: string;

beforeAll(async () => {
  server = fx.server;
  surveyorCookie = (await fx.account('surveyor', 'guide1')).cookie;
});

type AnyAck = { ok: true; data: any } | { ok: false; error: { code: string; message: string } };

function ok(ack: AnyAck): any {
  if (!ack.ok) throw new Error(`expected ok, got ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

function refused(ack: AnyAck): { code: string; message: string } {
  if (ack.ok) throw new Error(`expected a refusal, got ${JSON.stringify(ack.data)}`);
  return ack.error;
}

// Enough of a JPEG for the magic-byte check (the server stores the bytes as they are).
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(64), Buffer.from([0xff, 0xd9])]);

async function frame(inspectionId: string): Promise<any> {
  const res = await fetch(`${server.url}/api/inspections/${inspectionId}/evidence/frames`, {
    method: 'POST',
    headers: { cookie: surveyorCookie, 'Content-Type': 'image/jpeg', Origin: server.url },
    body: JPEG,
  });
  expect(res.status).toBe(201);
  return (await res.json()).evidence;
}

async function session() {
  const { inspection, token } = await fx.inspectionWithLink(surveyorCookie);
  const surveyor = await fx.joinAsStaff(inspection.id, surveyorCookie, 'Wang');
  const crew = await fx.joinAsCrew(token, 'Li');
  return { inspection, token, surveyor, crew };
}

const layer = (shapes: unknown[]) => ({ version: 1, width: 1280, height: 720, shapes });
const arrow = { type: 'arrow', color: 'red', from: { x: 0.2, y: 0.2 }, to: { x: 0.5, y: 0.5 } };

test('a pointer reaches the crew of this inspection only, at the coordinates sent', async () => {
  const a = await session();
  const b = await session();
  expect(ok(await a.surveyor.c.request('guide.pointer', { x: 0.25, y: 0.75 }))).toEqual({ crewCount: 1 });
  expect(await a.crew.c.next('guide.pointer')).toMatchObject({ x: 0.25, y: 0.75, from: a.surveyor.join.participantId });
  // The other inspection's crew and the surveyor's own socket saw nothing.
  ok(await b.surveyor.c.request('guide.pointer', { x: 0.5, y: 0.5 }));
  await b.crew.c.next('guide.pointer');
  expect(a.crew.c.events.filter((e) => e.event === 'guide.pointer')).toHaveLength(1);
  expect(a.surveyor.c.events.some((e) => e.event === 'guide.pointer')).toBe(false);
});

test('bad pointer coordinates and the crew pointing are refused, and nothing is relayed', async () => {
  const { surveyor, crew } = await session();
  for (const bad of [
    { x: Number.NaN, y: 0.5 },
    { x: -0.01, y: 0.5 },
    { x: 0.5, y: 1.01 },
    { x: '0.5', y: 0.5 },
    { x: 0.5 },
    { x: 0.5, y: 0.5, extra: 1 },
    { x: Infinity, y: 0 },
  ]) {
    const error = refused(await surveyor.c.request('guide.pointer', bad));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/x|y|expected|number|Unrecognized/i);
  }
  const forbidden = refused(await crew.c.request('guide.pointer', { x: 0.5, y: 0.5 }));
  expect(forbidden.code).toBe('FORBIDDEN');
  expect(refused(await crew.c.request('guide.release', {})).code).toBe('FORBIDDEN');
  ok(await surveyor.c.request('guide.pointer', { x: 0.1, y: 0.1 }));
  // The one pointer the crew got is the good one.
  expect(await crew.c.next('guide.pointer')).toMatchObject({ x: 0.1, y: 0.1 });
});

test('a frozen still with drawings reaches the crew, which can fetch that still and no other; bad drawings are refused', async () => {
  const { inspection, token, surveyor, crew } = await session();
  const still = await frame(inspection.id);
  ok(await surveyor.c.request('guide.freeze', { evidenceId: still.id, layer: layer([arrow]) }));
  const shown = await crew.c.next('guide.frozen');
  expect(shown).toMatchObject({ evidenceId: still.id, layer: { shapes: [arrow] } });
  const image = await fetch(`${server.url}${shown.url}`, { headers: { Authorization: `Crew ${token}` } });
  expect(image.status).toBe(200);
  expect(Buffer.from(await image.arrayBuffer()).equals(JPEG)).toBe(true);
  expect((await fetch(`${server.url}${shown.url}`)).status).toBe(401);
  // The link reads the still it is shown and no other photo of its inspection.
  const notShown = await frame(inspection.id);
  const crewFetch = (evidenceId: string) =>
    fetch(`${server.url}/api/crew/evidence/${evidenceId}/file`, { headers: { Authorization: `Crew ${token}` } });
  const hidden = await crewFetch(notShown.id);
  expect(hidden.status).toBe(404);
  expect((await hidden.json()).error.message).toMatch(/not being shown/);

  const tooMany = Array.from({ length: MAX_ANNOTATION_SHAPES + 1 }, () => arrow);
  const manyPoints = { type: 'freehand', color: 'red', points: Array.from({ length: 2_001 }, () => ({ x: 0.5, y: 0.5 })) };
  for (const bad of [
    layer(tooMany),
    layer([manyPoints]),
    layer([{ ...arrow, to: { x: 1.5, y: 0.5 } }]),
    layer([{ type: 'text', color: 'red', at: { x: 0.5, y: 0.5 }, text: 'x'.repeat(MAX_ANNOTATION_TEXT + 1) }]),
    layer([{ ...arrow, color: 'purple' }]),
    layer([{ type: 'polygon', color: 'red' }]),
    { ...layer([]), width: 0 },
  ]) {
    expect(refused(await surveyor.c.request('guide.freeze', { evidenceId: still.id, layer: bad })).code).toBe('BAD_REQUEST');
  }
  // A still of another inspection is not found here.
  const other = await session();
  const foreign = await frame(other.inspection.id);
  expect(refused(await surveyor.c.request('guide.freeze', { evidenceId: foreign.id, layer: layer([]) })).code).toBe('NOT_FOUND');
  expect(crew.c.events.filter((e) => e.event === 'guide.frozen')).toHaveLength(1);

  ok(await surveyor.c.request('guide.release', {}));
  await crew.c.next('guide.released');
  // Released: the still is no longer the crew's to read.
  expect((await crewFetch(still.id)).status).toBe(404);
});

test('an annotated still is a new photo with the vector layer; the original keeps its bytes and SHA-256', async () => {
  const { inspection } = await session();
  const still = await frame(inspection.id);
  const post = (body: unknown) =>
    fetch(`${server.url}/api/inspections/${inspection.id}/evidence/${still.id}/annotations`, {
      method: 'POST',
      headers: { cookie: surveyorCookie, 'Content-Type': 'application/json', Origin: server.url },
      body: JSON.stringify(body),
    });
  const flattened = Buffer.concat([JPEG, Buffer.from('drawn')]);
  const bad = await post({ layer: layer([{ ...arrow, from: { x: -1, y: 0 } }]), flattenedJpegBase64: flattened.toString('base64') });
  expect(bad.status).toBe(400);
  const png = await post({ layer: layer([arrow]), flattenedJpegBase64: Buffer.from('\x89PNG\r\n\x1a\nxxxx', 'latin1').toString('base64') });
  expect(png.status).toBe(415);
  const res = await post({ layer: layer([arrow]), flattenedJpegBase64: flattened.toString('base64') });
  expect(res.status).toBe(201);
  const annotated = (await res.json()).evidence;
  expect(annotated).toMatchObject({ annotationOf: still.id, annotation: layer([arrow]), contentType: 'image/jpeg' });
  expect(annotated.sha256).toBe(crypto.createHash('sha256').update(flattened).digest('hex'));

  const rec = (await server.api('GET', `/api/inspections/${inspection.id}/record`, { cookie: surveyorCookie })).body.record;
  const original = rec.evidence.find((e: any) => e.id === still.id);
  expect(original.sha256).toBe(crypto.createHash('sha256').update(JPEG).digest('hex'));
  expect(rec.evidence).toHaveLength(2);

  // A still of a busy scene: a flattened JPEG of 300 kB (more than any other route's body may be)
  // is taken, in the route's own limit; the same size on another route is refused as too large.
  const big = Buffer.concat([JPEG, crypto.randomBytes(300_000)]);
  const large = await post({ layer: layer([arrow]), flattenedJpegBase64: big.toString('base64') });
  expect(large.status).toBe(201);
  const elsewhere = await fetch(`${server.url}/api/inspections/${inspection.id}/evidence/bookmarks`, {
    method: 'POST',
    headers: { cookie: surveyorCookie, 'Content-Type': 'application/json', Origin: server.url },
    body: JSON.stringify({ padding: 'x'.repeat(100_000) }),
  });
  expect(elsewhere.status).toBe(413);
});
