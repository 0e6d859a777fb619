// Translated labels and badges for domain values.
import type { InspectionKind, InspectionStatus } from '@cloudship/shared';
import { bindText, type MessageKey } from '../i18n';
import { el } from '../ui/dom';

export function kindKey(kind: InspectionKind): MessageKey {
  return `kind.${kind}`;
}

export function statusKey(status: InspectionStatus): MessageKey {
  return `status.${status}`;
}

/** `[data-testid=inspection-status][data-status=...]`, coloured by status. */
export function statusBadge(status: InspectionStatus): HTMLSpanElement {
  return el('span', { class: `badge badge-${status}`, testid: 'inspection-status', data: { status }, t: statusKey(status) });
}

/** Update a badge made by statusBadge in place. */
export function setStatusBadge(badge: HTMLElement, status: InspectionStatus): void {
  badge.className = `badge badge-${status}`;
  badge.dataset.status = status;
  bindText(badge, statusKey(status));
}
