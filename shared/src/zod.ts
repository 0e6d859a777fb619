// The one zod every schema of the project is built with. Without `jitless`, zod 4 compiles a fast
// path for each object schema with `new Function`, first probing whether eval is allowed: in the
// pages, whose CSP has no 'unsafe-eval', that probe alone is reported as a violation. The setting
// is read when a schema is built, so it is made here, before any schema exists; the server uses
// the same interpreted parser (no eval anywhere), which is fast enough for payloads of this size.
import { z } from 'zod';

z.config({ jitless: true });

export { z };
