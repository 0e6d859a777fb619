// The two variables that carry the integration-pg project's choice to the test servers: set by
// test/setup/postgres-global-setup.ts (the cluster's URL) and test/setup/use-postgres.ts.
export const TEST_DATABASE_ENV = 'CLOUDSHIP_TEST_DATABASE';
export const TEST_PG_URL_ENV = 'CLOUDSHIP_TEST_PG_URL';
