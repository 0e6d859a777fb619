// globalSetup of the integration-pg project: one throw-away PostgreSQL cluster for the run
// (each test server takes a schema of its own in it); its teardown stops it and removes it.
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { TEST_PG_URL_ENV } from '../helpers/postgres-env';

declare global {
  var cloudshipPostgres: PostgresCluster | undefined;
}

export default async function setup(): Promise<void> {
  const cluster = await startPostgres();
  globalThis.cloudshipPostgres = cluster;
  process.env[TEST_PG_URL_ENV] = cluster.url;
}
