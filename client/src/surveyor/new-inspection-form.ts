// The "new inspection" form. Validated with the same zod schema as the server before sending.
import { createInspectionSchema, INSPECTION_KINDS, type InspectionView } from '@cloudship/shared';
import { api, errorCode } from '../api';
import { t, type MessageKey } from '../i18n';
import { el, messageBox } from '../ui/dom';
import { toDatetimeLocalValue, toIsoWithOffset } from '../util';
import { kindKey } from './labels';

const FIELD_LABELS: Record<string, MessageKey> = {
  vesselName: 'new.vesselName',
  registrationNumber: 'new.registrationNumber',
  kind: 'new.kind',
  place: 'new.place',
  scheduledAt: 'new.scheduledAt',
  placeLat: 'field.placeCoords',
  placeLon: 'field.placeCoords',
};

/** "35.405, 116.587" -> coordinates of the declared place (optional; malformed fails validation). */
function parseCoords(text: string): { placeLat?: number; placeLon?: number } {
  if (!text.trim()) return {};
  const parts = text.split(/[,\s]+/).filter(Boolean);
  return parts.length === 2 ? { placeLat: Number(parts[0]), placeLon: Number(parts[1]) } : { placeLat: Number.NaN, placeLon: Number.NaN };
}

function input(name: string, attrs: Record<string, string | number | boolean> = {}): HTMLInputElement {
  return el('input', { attrs: { id: `new-${name}`, name, required: true, ...attrs } });
}

function labelled(name: string, control: HTMLElement): HTMLElement {
  return el('label', { class: 'field', attrs: { for: control.id } }, [el('span', { t: FIELD_LABELS[name] }), control]);
}

/** A default start: the next quarter of an hour, at least 10 minutes from now. */
function defaultStart(): Date {
  const date = new Date(Date.now() + 10 * 60_000);
  date.setMinutes(Math.ceil(date.getMinutes() / 15) * 15, 0, 0);
  return date;
}

export function createNewInspectionForm(onCreated: (inspection: InspectionView) => void): HTMLFormElement {
  const vesselName = input('vesselName', { maxlength: 120, autocomplete: 'off' });
  const registrationNumber = input('registrationNumber', { maxlength: 64, autocomplete: 'off' });
  const place = input('place', { maxlength: 200 });
  // Optional: lets the console warn when the crew's GPS position is far from the declared place.
  const placeCoords = el('input', {
    attrs: { id: 'new-placeCoords', name: 'placeCoords', placeholder: '35.405, 116.587', inputmode: 'decimal', autocomplete: 'off' },
  });
  const scheduledAt = input('scheduledAt', { type: 'datetime-local', value: toDatetimeLocalValue(defaultStart()) });
  const kind = el('select', { attrs: { id: 'new-kind', name: 'kind', required: true } });
  for (const value of INSPECTION_KINDS) kind.appendChild(el('option', { attrs: { value }, t: kindKey(value) }));

  const submit = el('button', { class: 'btn btn-primary', testid: 'create-inspection', t: 'new.submit', attrs: { type: 'submit' } });
  const error = messageBox('new-inspection-error');

  const form = el(
    'form',
    // novalidate: our own (translated) messages instead of the browser's, in its own language.
    { class: 'card form-grid', testid: 'new-inspection', attrs: { novalidate: true } },
    [
      el('h2', { t: 'new.title' }),
      labelled('vesselName', vesselName),
      labelled('registrationNumber', registrationNumber),
      labelled('kind', kind),
      labelled('place', place),
      el('label', { class: 'field', attrs: { for: 'new-placeCoords' } }, [el('span', { t: 'field.placeCoords' }), placeCoords]),
      labelled('scheduledAt', scheduledAt),
      error.el,
      el('div', { class: 'form-actions' }, [submit]),
    ],
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void create();
  });

  async function create(): Promise<void> {
    error.show(null);
    // datetime-local has no zone: interpret it in the browser's zone and send the offset with it.
    const when = scheduledAt.value ? new Date(scheduledAt.value) : null;
    const body = {
      vesselName: vesselName.value,
      registrationNumber: registrationNumber.value,
      kind: kind.value,
      place: place.value,
      ...parseCoords(placeCoords.value),
      scheduledAt: when && !Number.isNaN(when.getTime()) ? toIsoWithOffset(when) : '',
    };
    const parsed = createInspectionSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const fieldName = String(issue?.path[0] ?? '');
      if (fieldName === 'scheduledAt' && issue?.code === 'custom') error.show('new.scheduledRange');
      else error.show('new.invalidField', { field: t(FIELD_LABELS[fieldName] ?? 'new.title') });
      form.querySelector<HTMLElement>(`[name="${fieldName}"]`)?.focus();
      return;
    }
    submit.disabled = true;
    try {
      const { inspection } = await api.createInspection(parsed.data);
      form.reset();
      scheduledAt.value = toDatetimeLocalValue(defaultStart());
      onCreated(inspection);
    } catch (err) {
      error.showError(errorCode(err));
    } finally {
      submit.disabled = false;
    }
  }

  return form;
}
