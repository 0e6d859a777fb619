// "End inspection" asks first, and what it asks depends on the record: no conclusion yet ->
// conclude first, or end it marked "to be continued"; a conclusion the crew has not acknowledged
// -> they cannot any more once it has ended; otherwise the plain "end for everyone?".
import type { InspectionRecordView } from '@cloudship/shared';
import { ask } from '../ui/dialog';
import { el } from '../ui/dom';

export type EndChoice = 'end' | 'to-be-continued' | 'conclude';

/** `record`: as read just now, or null when it could not be read (then the plain question). */
export function askToEnd(record: InspectionRecordView | null): Promise<EndChoice | null> {
  const conclusion = record?.conclusion;
  if (record && !conclusion) {
    return ask<EndChoice | null>({
      testid: 'end-dialog',
      title: 'end.title',
      body: [el('p', { testid: 'end-not-concluded', t: 'end.notConcluded' })],
      answers: [
        { value: null, t: 'dialog.cancel', testid: 'end-cancel' },
        { value: 'conclude', t: 'end.concludeFirst', kind: 'primary', testid: 'end-conclude-first' },
        { value: 'to-be-continued', t: 'end.toBeContinued', kind: 'danger', testid: 'end-to-be-continued' },
      ],
    });
  }
  return ask<EndChoice | null>({
    testid: 'end-dialog',
    title: 'end.title',
    body: [
      conclusion && !conclusion.acknowledgedAt && el('p', { testid: 'end-unacknowledged', t: 'end.unacknowledged' }),
      el('p', { t: 'detail.endConfirm' }),
    ],
    answers: [
      { value: null, t: 'dialog.cancel', testid: 'end-cancel' },
      { value: 'end', t: 'detail.end', kind: 'danger', testid: 'end-confirm' },
    ],
  });
}
