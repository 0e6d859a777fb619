// resolveRange (server/src/recording/http-range.ts): the one `bytes=` range a segment request may
// carry, resolved against the size known from the database.
import { resolveRange } from '../../server/src/recording/http-range';

const SIZE = 1000;

test('no Range header: the whole file', () => {
  expect(resolveRange(undefined, SIZE)).toEqual({ kind: 'full', start: 0, end: 999 });
});

test('bytes=a-b: exactly those bytes, the end clamped to the last byte', () => {
  expect(resolveRange('bytes=0-0', SIZE)).toEqual({ kind: 'partial', start: 0, end: 0 });
  expect(resolveRange('bytes=10-19', SIZE)).toEqual({ kind: 'partial', start: 10, end: 19 });
  expect(resolveRange('bytes=990-5000', SIZE)).toEqual({ kind: 'partial', start: 990, end: 999 });
  expect(resolveRange(' bytes=5-5 ', SIZE)).toEqual({ kind: 'partial', start: 5, end: 5 });
});

test('bytes=a-: from a to the end', () => {
  expect(resolveRange('bytes=0-', SIZE)).toEqual({ kind: 'partial', start: 0, end: 999 });
  expect(resolveRange('bytes=999-', SIZE)).toEqual({ kind: 'partial', start: 999, end: 999 });
});

test('bytes=-n: the last n bytes as an explicit range, the whole file when n is larger', () => {
  expect(resolveRange('bytes=-100', SIZE)).toEqual({ kind: 'partial', start: 900, end: 999 });
  expect(resolveRange('bytes=-1', SIZE)).toEqual({ kind: 'partial', start: 999, end: 999 });
  expect(resolveRange('bytes=-5000', SIZE)).toEqual({ kind: 'partial', start: 0, end: 999 });
});

test('out of bounds: a start at or past the end, an end before the start, an empty suffix', () => {
  for (const h of ['bytes=1000-', 'bytes=1000-1001', 'bytes=5000-6000', 'bytes=5-2', 'bytes=-0']) {
    expect([h, resolveRange(h, SIZE)]).toEqual([h, { kind: 'unsatisfiable' }]);
  }
});

test('malformed or another unit: unsatisfiable', () => {
  for (const h of [
    '',
    'bytes=',
    'bytes=-',
    'bytes=abc',
    'bytes=1-a',
    'bytes=a-1',
    'bytes=1.5-2',
    'bytes=+1-2',
    'bytes 0-1',
    'items=0-1',
    'Bytes=0-1',
    'bytes=0-1-2',
    'bytes=1234567890123456-',
  ]) {
    expect([h, resolveRange(h, SIZE)]).toEqual([h, { kind: 'unsatisfiable' }]);
  }
});

test('several ranges are not supported: unsatisfiable', () => {
  for (const h of ['bytes=0-1,4-5', 'bytes=0-1, 4-5', 'bytes=-1,-2']) {
    expect([h, resolveRange(h, SIZE)]).toEqual([h, { kind: 'unsatisfiable' }]);
  }
});

test('a zero-size file: no range can be satisfied; without a header, an empty full answer', () => {
  for (const h of ['bytes=0-', 'bytes=0-0', 'bytes=-1']) expect([h, resolveRange(h, 0)]).toEqual([h, { kind: 'unsatisfiable' }]);
  expect(resolveRange(undefined, 0)).toEqual({ kind: 'full', start: 0, end: -1 });
});
