// setupFiles of the integration-pg project: its test servers use PostgreSQL (test/helpers/test-server.ts).
import { TEST_DATABASE_ENV } from '../helpers/postgres-env';

process.env[TEST_DATABASE_ENV] = 'postgres';
