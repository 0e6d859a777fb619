// The real server in a process of its own (run with `node --import tsx`), for tests that kill it
// with SIGKILL: startServer with the configuration from its environment. Prints `READY <url>` once
// it listens, then runs until it is killed.
import { loadConfig } from '../../server/src/config/config';
import { startServer } from '../../server/src/app';

startServer(loadConfig(process.env)).then(
  (server) => process.stdout.write(`READY ${server.url}\n`),
  (e: unknown) => {
    process.stderr.write(`server child failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
