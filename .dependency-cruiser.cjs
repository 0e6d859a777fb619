// The layering of server/src, checked by `npm run check:layers` (part of `npm test`). From the
// bottom up; a folder may import its own tier and the tiers below, never above:
//
//   platform   lib, logging, config, persistence, media, storage, session, metrics, seal (the evidence log)
//   auth       accounts, sign-in, the staff guard (every feature's routes use it)
//   inspection the inspection itself: lifecycle, crew links, participant log
//   features   inspection-record, recording, field, chat (never each other)
//   reports    built on the inspection record
//   edges      http, signaling (express and socket.io live here)
//   root       app.ts (composition), main.ts and verify.ts (entry points)
//
// Type-only imports count too: a type from an upper layer is still a dependency on it.
const PLATFORM = '^server/src/(lib|logging|config|persistence|media|storage|session|metrics|seal)/';
const FEATURES = ['inspection-record', 'recording', 'field', 'chat'];
const ANY_FEATURE = `^server/src/(auth|inspection|${FEATURES.join('|')}|reports)/`;
const EDGES = '^server/src/(http|signaling)/';
const ROOT = '^server/src/(app|main|verify)\\.ts$';

const peerFeatureRules = FEATURES.map((name) => ({
  name: `no-${name}-to-peer-feature`,
  comment: `${name}/ is a feature beside ${FEATURES.filter((f) => f !== name).join(', ')}: they never import each other (compose them in app.ts).`,
  severity: 'error',
  from: { path: `^server/src/${name}/` },
  to: { path: `^server/src/(${FEATURES.filter((f) => f !== name).join('|')}|reports)/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: the two ends cannot be understood (or tested) apart.',
      severity: 'error',
      from: { path: '^server/src/' },
      to: { circular: true },
    },
    {
      name: 'no-import-of-root',
      comment:
        'app.ts composes everything and main.ts starts it; nothing imports them (main.ts and verify.ts, the two entry points, import app.ts).',
      severity: 'error',
      from: { path: '^server/src/', pathNot: '^server/src/(main|verify)\\.ts$' },
      to: { path: ROOT },
    },
    {
      name: 'no-feature-to-edge',
      comment:
        'Features and the platform never import the HTTP or signaling edge: they export routers and handler tables that the edge mounts.',
      severity: 'error',
      from: { path: `(${PLATFORM})|(${ANY_FEATURE})` },
      to: { path: EDGES },
    },
    {
      name: 'no-platform-to-feature',
      comment: 'The platform (persistence, session, storage, media, ...) knows no feature; features hang off its events and interfaces.',
      severity: 'error',
      from: { path: PLATFORM },
      to: { path: ANY_FEATURE },
    },
    {
      name: 'no-auth-to-feature',
      comment: 'auth/ sits below every feature.',
      severity: 'error',
      from: { path: '^server/src/auth/' },
      to: { path: `^server/src/(inspection|${FEATURES.join('|')}|reports)/` },
    },
    {
      name: 'no-inspection-to-upper-feature',
      comment: 'inspection/ (lifecycle, crew links) sits below the features built on an inspection.',
      severity: 'error',
      from: { path: '^server/src/inspection/' },
      to: { path: `^server/src/(${FEATURES.join('|')}|reports)/` },
    },
    ...peerFeatureRules,
    {
      name: 'no-edge-to-edge',
      comment: 'http/ and signaling/ are independent edges.',
      severity: 'error',
      from: { path: '^server/src/http/' },
      to: { path: '^server/src/signaling/' },
    },
    {
      name: 'no-edge-to-edge-reverse',
      severity: 'error',
      from: { path: '^server/src/signaling/' },
      to: { path: '^server/src/http/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
