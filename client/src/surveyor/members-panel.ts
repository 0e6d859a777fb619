// Who works on an inspection: the lead surveyor, co-surveyors and assigned auditors (access by
// ownership: only they, and admins, see or act on it). The lead and admins invite and remove
// co-surveyors and assign auditors here.
import { allowedOn, type InspectionDetailView, type InspectionMembersView } from '@cloudship/shared';
import { api, errorCode } from '../api';
import { t } from '../i18n';
import { button, el, messageBox, replaceChildren } from '../ui/dom';
import type { ConsoleContext } from './context';

export interface MembersPanel {
  el: HTMLElement;
  render(members: InspectionMembersView): void;
}

export function createMembersPanel(inspection: InspectionDetailView, ctx: ConsoleContext): MembersPanel {
  const relation = ctx.account.role === 'admin' ? 'admin' : inspection.surveyorId === ctx.account.id ? 'lead' : 'other';
  const manages = allowedOn(ctx.account.role, relation, 'inspection.members');
  const list = el('div', { class: 'members', testid: 'members' });
  const error = messageBox('members-error');
  const pick = el('select', { attrs: { name: 'member' }, testid: 'member-pick' });
  let members = inspection.members;

  async function loadDirectory(): Promise<void> {
    try {
      const { people } = await api.staffDirectory();
      const taken = new Set([members.leadId, ...members.coSurveyors.map((m) => m.id), ...members.auditors.map((m) => m.id)]);
      replaceChildren(
        pick,
        people
          .filter((p) => !taken.has(p.id))
          .map((p) =>
            el('option', {
              attrs: { value: `${p.role}:${p.id}` },
              text: `${p.displayName} · ${t(`role.${p.role}`)}`,
              data: { role: p.role },
            }),
          ),
      );
    } catch (err) {
      error.showError(errorCode(err));
    }
  }

  async function change(call: () => Promise<unknown>): Promise<void> {
    error.show(null);
    try {
      await call();
      const { inspection: next } = await api.getInspection(inspection.id);
      render(next.members);
    } catch (err) {
      error.showError(errorCode(err));
    }
  }

  const invite = button({ kind: 'secondary', testid: 'member-add', t: 'members.add' }, () => {
    const [role, id] = pick.value.split(':');
    if (!id) return;
    return change(() => (role === 'auditor' ? api.assignAuditor(inspection.id, id) : api.addCoSurveyor(inspection.id, id)));
  });

  function person(name: string, removable: string | null): HTMLElement {
    return el('li', {}, [
      el('span', { text: name }),
      removable && manages
        ? button({ kind: 'ghost', testid: 'member-remove', t: 'members.remove' }, () =>
            change(() => api.removeCoSurveyor(inspection.id, removable)),
          )
        : null,
    ]);
  }

  function render(next: InspectionMembersView): void {
    members = next;
    replaceChildren(list, [
      el('h3', { t: 'members.coSurveyors' }),
      el(
        'ul',
        {},
        members.coSurveyors.length
          ? members.coSurveyors.map((m) => person(m.displayName, m.id))
          : [el('li', { class: 'muted', t: 'common.none' })],
      ),
      el('h3', { t: 'members.auditors' }),
      el(
        'ul',
        {},
        members.auditors.length
          ? members.auditors.map((m) => person(m.displayName, null))
          : [el('li', { class: 'muted', t: 'common.none' })],
      ),
    ]);
    if (manages) void loadDirectory();
  }

  render(members);
  const section = el('section', { class: 'card' }, [
    el('h2', { t: 'members.title' }),
    list,
    manages ? el('div', { class: 'inline-form' }, [pick, invite]) : null,
    error.el,
  ]);
  return { el: section, render };
}
