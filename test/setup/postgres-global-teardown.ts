// globalTeardown of the integration-pg project: stops the run's PostgreSQL and removes its folder.
export default async function teardown(): Promise<void> {
  await globalThis.cloudshipPostgres?.stop();
}
