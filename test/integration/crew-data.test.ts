// The crew's data as the server counts it (server/src/field/crew-data.ts): every 2 s the staff
// in the room are told a crew phone's bytes over its media transports and its rate; the crew
// itself is not told (its page counts for itself), and a phone without transports counts 0.
import { connectTransports, useFixture } from '../helpers/fixtures';
import { DATA_INTERVAL_MS } from '../../server/src/field/crew-data';

jest.setTimeout(60_000);

const fx = useFixture();

test('the staff get the crew phone data every interval; the crew does not', async () => {
  const { cookie } = await fx.account('surveyor', 'meter');
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  const surveyor = await fx.joinAsStaff(inspection.id, cookie, 'Wang');
  const crew = await fx.joinAsCrew(token, 'Li');

  const first = await surveyor.c.next('peer.data', (e) => e.peerId === crew.participantId, { timeoutMs: DATA_INTERVAL_MS * 3 });
  expect(first).toEqual({ peerId: crew.participantId, bytes: 0, bitrate: 0 });
  // With transports (fake DTLS: they never connect, so nothing crosses them), still counted.
  await connectTransports(crew.c, 'send', 'recv');
  const next = await surveyor.c.next('peer.data', (e) => e.peerId === crew.participantId, { timeoutMs: DATA_INTERVAL_MS * 3 });
  expect(next.bytes).toBeGreaterThanOrEqual(0);
  expect(Number.isFinite(next.bitrate)).toBe(true);
  // A round trip on the crew's socket after the staff heard twice: anything sent to it is in.
  expect((await crew.c.request('room.getCapabilities', {})).ok).toBe(true);
  expect(crew.c.events.filter((e) => e.event === 'peer.data')).toEqual([]);
});
