/**
 * Every test runs against real parts: see README "Tests". Four projects, chosen by folder (never by
 * a list of files), so that a new test lands in the right run by where it is put:
 *   unit         test/unit/** and the tests next to the code in shared/src and server/src: no
 *                server, no mediasoup worker, no ffmpeg, no browser (`npm run test:unit`, < 10 s);
 *   integration  test/integration/**: a real server, worker, ffmpeg, object store, no browser;
 *   integration-pg  the same files with PostgreSQL as the database instead of SQLite: a throw-away
 *                cluster for the run (test/setup/postgres-global-setup.ts), a schema per server;
 *   e2e          test/e2e/**: real browsers (Chromium) against the real server.
 * `node scripts/run-tests.mjs unit` (etc.) runs one of them with `--selectProjects`.
 */
const common = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  // Relative dynamic imports name the .js file (node16 resolution); the source is the .ts.
  moduleNameMapper: { '^@cloudship/shared$': '<rootDir>/shared/src/index.ts', '^(\\.{1,2}/.*)\\.js$': '$1' },
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/test/unit', '<rootDir>/shared/src', '<rootDir>/server/src'] },
    { ...common, displayName: 'integration', roots: ['<rootDir>/test/integration'] },
    {
      ...common,
      displayName: 'integration-pg',
      roots: ['<rootDir>/test/integration'],
      globalSetup: '<rootDir>/test/setup/postgres-global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/postgres-global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup/use-postgres.ts'],
    },
    { ...common, displayName: 'e2e', roots: ['<rootDir>/test/e2e'] },
  ],
};
