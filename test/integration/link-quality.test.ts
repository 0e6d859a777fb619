// Dips in the crew camera's link quality (server/src/field/link-quality.ts), on the real database,
// driven by the score events a mediasoup producer emits. The e2e (network-adapt) makes a real one
// dip; here each rule is driven exactly: no dip before the stream has scored well, the worst score
// kept, the end stored when the score is back or the camera stops, the timeline's marks.
import { EventEmitter } from 'node:events';
import { LinkQualityService } from '../../server/src/field/link-quality';
import type { RoomRegistry } from '../../server/src/session/room-registry';
import { useFixture } from '../helpers/fixtures';
import { until } from '../helpers/recording';
import { sql } from '../helpers/sql';

const fx = useFixture();

interface Dip {
  worstScore: number;
  endedAt: unknown;
}

test('a dip starts below 7 after a good score, keeps its worst score, ends when the score is back or the camera stops, and is on the timeline', async () => {
  const { cookie } = await fx.account('surveyor', 'lq-surveyor');
  const { inspection, token } = await fx.inspectionWithLink(cookie);
  const crew = await fx.joinAsCrew(token, '船员 Zhou');

  const registry = new EventEmitter();
  const service = new LinkQualityService(fx.server.db).attach(registry as unknown as RoomRegistry);
  const room = Object.assign(new EventEmitter(), { inspectionId: inspection.id });
  registry.emit('roomCreated', room);
  const producer = Object.assign(new EventEmitter(), { kind: 'video', appData: { source: 'camera' }, observer: new EventEmitter() });
  room.emit('producerAdded', { role: 'crew', id: crew.participantId }, producer);
  const audio = Object.assign(new EventEmitter(), { kind: 'audio', appData: { source: 'microphone' }, observer: new EventEmitter() });
  room.emit('producerAdded', { role: 'crew', id: crew.participantId }, audio);

  const dips = () =>
    sql<Dip[]>(fx.server.db, 'SELECT "worstScore", "endedAt" FROM link_quality_dip WHERE "inspectionId" = ? ORDER BY "startedAt"', [
      inspection.id,
    ]);
  const score = (p: EventEmitter, ...scores: number[]) =>
    p.emit(
      'score',
      scores.map((s, i) => ({ encodingIdx: i, score: s })),
    );

  const from = new Date(Date.now() - 1_000);
  score(producer, 0, 3); // the first packets: not a dip
  score(audio, 10);
  score(audio, 2); // the microphone is not watched
  score(producer, 0, 10);
  score(producer, 5, 0); // the best layer counts: 5
  score(producer, 3, 0);
  score(producer, 4, 0); // better than the worst: the worst stays
  await until(async () => ((await dips())[0]?.worstScore === 3 ? true : null), 'the worst score stored', 10_000);
  score(producer, 9, 8);
  await until(async () => ((await dips())[0]?.endedAt ? true : null), 'the dip ended', 10_000);

  score(producer, 2);
  await until(async () => ((await dips()).length === 2 ? true : null), 'a second dip', 10_000);
  producer.observer.emit('close');
  const stored = await until(
    async () => {
      const rows = await dips();
      return rows.every((d) => d.endedAt) ? rows : null;
    },
    'the second dip ended with the camera',
    10_000,
  );
  expect(stored.map((d) => d.worstScore)).toEqual([3, 2]);

  const marks = await service.timeline()(inspection.id, from, new Date(Date.now() + 1_000));
  expect(marks).toEqual([
    expect.objectContaining({ lane: 'network', kind: 'quality-dip', who: '船员 Zhou', score: 3, untilAt: expect.any(String) }),
    expect.objectContaining({ lane: 'network', kind: 'quality-dip', who: '船员 Zhou', score: 2, untilAt: expect.any(String) }),
  ]);
  // A window before them shows none of them.
  expect(await service.timeline()(inspection.id, new Date(0), from)).toEqual([]);
});
