// HTTP Range for segment replay: one `bytes=` range, resolved against the size we know from the
// database. Suffix ranges (`bytes=-N`) are translated here into an explicit `start-end`, because
// s3rver answers them wrongly; the store only ever sees explicit ranges.

export type RangeResult =
  | { kind: 'full'; start: number; end: number }
  | { kind: 'partial'; start: number; end: number }
  /** Malformed, unsupported (several ranges, another unit) or out of bounds: 416. */
  | { kind: 'unsatisfiable' };

const SINGLE = /^bytes=(\d{0,15})-(\d{0,15})$/;

export function resolveRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'full', start: 0, end: size - 1 };
  const m = SINGLE.exec(header.trim());
  if (!m || size <= 0) return { kind: 'unsatisfiable' };
  const [, a, b] = m;
  if (a === '' && b === '') return { kind: 'unsatisfiable' };
  if (a === '') {
    // Suffix: the last N bytes.
    const n = Number(b);
    if (n === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || (b !== '' && Number(b) < start)) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}
