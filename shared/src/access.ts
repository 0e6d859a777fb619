// Access by ownership. A role's permissions (permissions.ts) say what kind of thing someone may do;
// for anything about one inspection, their relation to that inspection says whether they may do it
// there. One rule, here, used by the REST guard and the signaling handshake and handlers alike, and
// by the console to decide what to show.
import type { Role } from './domain';
import { can, type Permission } from './permissions';

/**
 * How an account (or a crew link) stands to one inspection:
 *   admin              any admin, for every inspection
 *   lead               the surveyor who scheduled it
 *   co-surveyor        a surveyor the lead (or an admin) invited
 *   assigned-auditor   an auditor assigned to review it
 *   crew               the crew, by a valid link of this inspection
 *   other              everyone else (another surveyor, an auditor not assigned)
 */
export const RELATIONS = ['admin', 'lead', 'co-surveyor', 'assigned-auditor', 'crew', 'other'] as const;
export type Relation = (typeof RELATIONS)[number];

/**
 * What a permission needs of the relation when it is used on one inspection:
 *   own    decide who works on it (invite co-surveyors, assign auditors): the lead and admins
 *   act    take part in or change it (live session, links, checklist, conclusion, recording switch)
 *   read   see its details, record, evidence, report and recordings
 *   review review it (comments pinned to the recording, the review status): assigned auditors
 *          and admins, never the surveyors whose work it is
 *   global not about one inspection (accounts, templates, storage, creating an inspection)
 *   custody hand over the sealed evidence package: the lead, the assigned auditors and admins,
 *          the people answerable for the record (a co-surveyor reads it but does not hand it out)
 */
export const PERMISSION_SCOPE: Record<Permission, 'own' | 'act' | 'read' | 'review' | 'custody' | 'global'> = {
  'inspection.create': 'global',
  'inspection.read': 'read',
  'inspection.end': 'act',
  'crewLink.manage': 'act',
  'room.join': 'act',
  'media.produceVideo': 'act',
  'media.produceAudio': 'act',
  'media.consume': 'act',
  'account.manage': 'global',
  'review.sample': 'global',
  'camera.control': 'act',
  'position.share': 'act',
  'position.view': 'act',
  'recording.control': 'act',
  'recording.replay': 'read',
  'recording.storage': 'global',
  'record.edit': 'act',
  'evidence.capture': 'act',
  'crew.guide': 'act',
  'chat.send': 'act',
  'document.request': 'act',
  'evidence.upload': 'act',
  'record.acknowledge': 'act',
  'checklist.manage': 'global',
  'report.read': 'read',
  'inspection.members': 'own',
  'review.write': 'review',
  'evidence.package': 'custody',
};

const OWNERS: readonly Relation[] = ['admin', 'lead'];
const ACTORS: readonly Relation[] = ['admin', 'lead', 'co-surveyor', 'crew'];
const READERS: readonly Relation[] = ['admin', 'lead', 'co-surveyor', 'assigned-auditor', 'crew'];
const REVIEWERS: readonly Relation[] = ['admin', 'assigned-auditor'];
const CUSTODIANS: readonly Relation[] = ['admin', 'lead', 'assigned-auditor'];

/** May someone of `role`, standing `relation` to an inspection, use `permission` on it? */
export function allowedOn(role: Role, relation: Relation, permission: Permission): boolean {
  if (!can(role, permission)) return false;
  const scope = PERMISSION_SCOPE[permission];
  if (scope === 'global') return true;
  const relations = { own: OWNERS, act: ACTORS, read: READERS, review: REVIEWERS, custody: CUSTODIANS }[scope];
  return relations.includes(relation);
}

/** Whether the inspection appears in someone's inspection list at all. Other surveyors see the entry only. */
export function listsInspection(role: Role, relation: Relation): boolean {
  return relation !== 'other' || role === 'surveyor';
}
