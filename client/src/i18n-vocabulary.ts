// The message keys of the shared vocabularies (inspection kinds, checklist results, outcomes, gap
// causes, ...), made from their one bilingual table in @cloudship/shared (labels.ts), which the
// printed report uses too.
import {
  CHAT_KIND_LABELS,
  GAP_CAUSE_LABELS,
  KIND_LABELS,
  OUTCOME_LABELS,
  RECORDING_STATE_LABELS,
  RESULT_LABELS,
  ROLE_LABELS,
  SAVINGS_BASIS_LABELS,
  SAVINGS_INPUT_LABELS,
  SAVINGS_PROFILE_LABELS,
  SOURCE_LABELS,
  UPLOAD_STATE_LABELS,
  type Words,
} from '@cloudship/shared';

type Keyed<P extends string, T> = { [K in keyof T & string as `${P}${K}`]: string };

function keyed<P extends string, T extends Readonly<Record<string, Words>>>(prefix: P, table: T, lang: keyof Words): Keyed<P, T> {
  return Object.fromEntries(Object.entries(table).map(([value, words]) => [`${prefix}${value}`, words[lang]])) as Keyed<P, T>;
}

export function vocabularyMessages(lang: keyof Words) {
  return {
    ...keyed('kind.', KIND_LABELS, lang),
    ...keyed('record.result.', RESULT_LABELS, lang),
    ...keyed('conclusion.', OUTCOME_LABELS, lang),
    ...keyed('replay.gapCause.', GAP_CAUSE_LABELS, lang),
    ...keyed('recording.source.', SOURCE_LABELS, lang),
    ...keyed('replay.role.', ROLE_LABELS, lang),
    ...keyed('chat.kind.', CHAT_KIND_LABELS, lang),
    ...keyed('replay.state.', RECORDING_STATE_LABELS, lang),
    ...keyed('replay.upload.', UPLOAD_STATE_LABELS, lang),
    ...keyed('savings.profileName.', SAVINGS_PROFILE_LABELS, lang),
    ...keyed('savings.basis.', SAVINGS_BASIS_LABELS, lang),
    ...keyed('savings.', SAVINGS_INPUT_LABELS, lang),
  };
}
