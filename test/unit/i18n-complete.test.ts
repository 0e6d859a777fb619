// Both languages complete: every message key has its words in zh-CN and en, with the same
// placeholders, and no value is left in the other language; every value of the shared
// vocabularies (kinds, results, outcomes, gap causes, sources, recording and upload states, savings
// profiles, bases and inputs) has its words in the one table the console, the replay and the
// printed report use (shared/src/labels.ts). The pages themselves are walked in both languages by
// test/e2e/languages.e2e.test.ts.
import {
  CHAT_KIND_LABELS,
  CHAT_MESSAGE_KINDS,
  CHECKLIST_RESULTS,
  CONCLUSION_OUTCOMES,
  GAP_CAUSE_LABELS,
  GAP_CAUSES,
  INSPECTION_KINDS,
  KIND_LABELS,
  MEDIA_SOURCES,
  OUTCOME_LABELS,
  PROFILES,
  RECORDING_STATE_LABELS,
  RECORDING_STATES,
  RESULT_LABELS,
  ROLE_LABELS,
  ROLES,
  SAVINGS_BASIS_LABELS,
  SAVINGS_INPUT_LABELS,
  SAVINGS_PROFILE_LABELS,
  savingsBasisText,
  SOURCE_LABELS,
  UPLOAD_STATE_LABELS,
  UPLOAD_STATES,
  VIDEO_PROFILES,
  type Words,
} from '@cloudship/shared';
import { en, zhCN, type MessageKey } from '../../client/src/i18n-messages';

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const keys = Object.keys(en) as MessageKey[];

/**
 * Values meant to be the same in both languages or to name the other one. A new entry here is a
 * decision, not a way around the test.
 */
const LANGUAGE_NEUTRAL: Partial<Record<MessageKey, string>> = {
  'lang.switch': 'the language switch names the other language in that language',
  'common.none': 'a dash',
};

test('zh-CN and en have the same keys, none empty, with the same placeholders', () => {
  expect(Object.keys(zhCN).sort()).toEqual([...keys].sort());
  for (const key of keys) {
    expect({ key, en: en[key].trim().length > 0, zh: zhCN[key].trim().length > 0 }).toEqual({ key, en: true, zh: true });
    expect({ key, placeholders: placeholders(zhCN[key]) }).toEqual({ key, placeholders: placeholders(en[key]) });
  }
});

test('no English message holds Chinese and every Chinese message is written in Chinese', () => {
  const englishWithChinese = keys.filter((k) => !(k in LANGUAGE_NEUTRAL) && CJK.test(en[k]));
  const chineseWithout = keys.filter((k) => !(k in LANGUAGE_NEUTRAL) && !CJK.test(zhCN[k]));
  expect({ englishWithChinese, chineseWithout }).toEqual({ englishWithChinese: [], chineseWithout: [] });
});

test('every vocabulary value has its words in both languages and its message keys', () => {
  const tables: Array<[string, readonly string[], Readonly<Record<string, Words>>, string]> = [
    ['inspection kinds', INSPECTION_KINDS, KIND_LABELS, 'kind.'],
    ['checklist results', CHECKLIST_RESULTS, RESULT_LABELS, 'record.result.'],
    ['conclusion outcomes', CONCLUSION_OUTCOMES, OUTCOME_LABELS, 'conclusion.'],
    ['gap causes', GAP_CAUSES, GAP_CAUSE_LABELS, 'replay.gapCause.'],
    ['media sources', MEDIA_SOURCES, SOURCE_LABELS, 'recording.source.'],
    ['roles', ROLES, ROLE_LABELS, 'replay.role.'],
    ['chat message kinds', CHAT_MESSAGE_KINDS, CHAT_KIND_LABELS, 'chat.kind.'],
    ['recording states', RECORDING_STATES, RECORDING_STATE_LABELS, 'replay.state.'],
    ['upload states', UPLOAD_STATES, UPLOAD_STATE_LABELS, 'replay.upload.'],
    ['savings profiles', Object.keys(PROFILES), SAVINGS_PROFILE_LABELS, 'savings.profileName.'],
    ['savings bases', ['computed', 'calibrated-average'], SAVINGS_BASIS_LABELS, 'savings.basis.'],
    ['savings inputs', Object.keys(PROFILES['published-calibrated'].values), SAVINGS_INPUT_LABELS, 'savings.'],
  ];
  const missing: string[] = [];
  for (const [name, values, table, prefix] of tables) {
    expect({ name, values: Object.keys(table).sort() }).toEqual({ name, values: [...values].sort() });
    for (const value of values) {
      const words = table[value]!;
      if (!CJK.test(words.zh) || CJK.test(words.en)) missing.push(`${name}: ${value} ${JSON.stringify(words)}`);
      const key = `${prefix}${value}` as MessageKey;
      if (en[key] !== words.en || zhCN[key] !== words.zh) missing.push(`${name}: message ${key}`);
    }
  }
  // The video profiles the surveyor picks for the phone are named on the console.
  for (const p of VIDEO_PROFILES) if (!(`field.profile.${p}` in en)) missing.push(`video profile: ${p}`);
  expect(missing).toEqual([]);
});

test('the savings basis reads in each language with its profile and model filled in', () => {
  const s = { basis: 'computed', profile: 'economic', modelVersion: '9.9' } as const;
  expect(savingsBasisText(s, 'en')).toBe('computed (Economic (example values), model 9.9)');
  expect(savingsBasisText(s, 'zh')).toBe('按公式计算（经济测算示例方案，模型 9.9）');
  expect(savingsBasisText({ ...s, basis: 'calibrated-average' }, 'zh')).not.toMatch(/[{}]/);
});
