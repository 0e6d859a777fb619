// A server process for the crash test (run with `node --import tsx`): the real startServer with the
// configuration from its environment, a crew participant publishing through PlainTransport
// producers. It prints `READY {json}` with the sender's ffmpeg arguments once the recorders
// listen, then `SEGMENTS n` each time the registered segment count changes, until it is killed.
import { loadConfig } from '../../server/src/config/config';
import { startServer } from '../../server/src/app';
import { connect } from './signaling-client';
import { publishPlain } from './recording';

async function main(): Promise<void> {
  const server = await startServer(loadConfig(process.env));
  const api = async (method: string, p: string, body?: unknown, cookie?: string) => {
    const r = await fetch(`${server.url}${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: await r.json().catch(() => null), cookie: (r.headers.get('set-cookie') ?? '').split(';')[0]! };
  };
  const login = await api('POST', '/api/auth/login', { username: process.env.ADMIN_USERNAME, password: process.env.ADMIN_PASSWORD });
  const inspection = (
    await api(
      'POST',
      '/api/inspections',
      {
        vesselName: '鲁济宁货1234',
        registrationNumber: 'JN-CRASH',
        kind: 'periodic',
        place: 'Jining',
        scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
      },
      login.cookie,
    )
  ).body.inspection;
  const link = await api('POST', `/api/inspections/${inspection.id}/crew-link`, undefined, login.cookie);
  const crew = await connect(server.url, { crewToken: link.body.url.split('/join/')[1] });
  const caps = await crew.request('room.getCapabilities', {});
  if (!caps.ok) throw new Error('capabilities refused');
  const joined = await crew.request('room.join', {
    displayName: 'crew',
    device: 'child',
    rtpCapabilities: caps.data.routerRtpCapabilities,
  });
  if (!joined.ok) throw new Error('join refused');
  const state = await crew.next('recording.state', (s) => s.recording);
  const room = server.rooms.get(inspection.id)!;
  const pub = await publishPlain(room, room.peers.get(joined.data.participantId)!);
  const catalog = server.recording.catalog;
  while ((await catalog.tracks.countBy({ recordingId: state.recordingId!, state: 'recording' })) < 2)
    await new Promise((r) => setTimeout(r, 100));
  process.stdout.write(
    `READY ${JSON.stringify({ recordingId: state.recordingId, inspectionId: inspection.id, args: pub.senderArgs(process.env.CLIP!, 60) })}\n`,
  );
  let last = -1;
  setInterval(() => {
    void catalog.segments.count().then((n) => {
      if (n !== last) process.stdout.write(`SEGMENTS ${n}\n`);
      last = n;
    });
  }, 200);
}

main().catch((e) => {
  process.stderr.write(`child failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
