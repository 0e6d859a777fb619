// The one place that reads process.env. Every setting is validated at start-up; a bad value stops
// the server with a readable list of problems. All variables are documented in README.md.
import os from 'node:os';
import path from 'node:path';
import { INSPECTION_KINDS, z, type InspectionKind } from '@cloudship/shared';

const bool = z.enum(['true', 'false', '1', '0', 'on', 'off']).transform((v) => ['true', '1', 'on'].includes(v));
const port = z.coerce.number().int().min(0).max(65535);
const ipv4 = z.ipv4();

/** PUBLIC_URL: http(s)://host[:port], optionally with one trailing slash, nothing more. */
function isPublicOrigin(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    !url.username &&
    !url.password &&
    url.pathname === '/' &&
    !url.search &&
    !url.hash &&
    !/[?#]/.test(value)
  );
}

const envSchema = z
  .object({
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: port.default(8443),
    HTTPS: bool.default(true),
    TLS_CERT: z.string().optional(),
    TLS_KEY: z.string().optional(),
    // The origin crew links are made with (a phone must be able to open it): scheme and host only.
    PUBLIC_URL: z
      .url()
      .refine(isPublicOrigin, 'an http(s) origin such as https://inspect.example.org (no path, query or user name)')
      .optional(),
    DATA_DIR: z.string().min(1).default('data'),
    DB_PATH: z.string().optional(),
    // PostgreSQL instead of the embedded SQLite file: postgres://user:password@host:port/database.
    DATABASE_URL: z
      .string()
      .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), 'a postgres://user:password@host:port/database URL')
      .optional(),
    // A PostgreSQL schema to keep the tables in (created when missing); default: the user's search path.
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case schema name: letters, digits and _')
      .optional(),
    RTC_LISTEN_IP: ipv4.default('0.0.0.0'),
    RTC_ANNOUNCED_IP: z.string().optional(),
    RTC_EXTRA_LISTEN_IPS: z.string().default(''),
    RTC_MIN_PORT: port.default(40000),
    RTC_MAX_PORT: port.default(40999),
    MEDIASOUP_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    ADMIN_USERNAME: z.string().min(1).default('admin'),
    ADMIN_PASSWORD: z.string().min(10).optional(),
    CREW_LINK_TTL_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(24),
    SESSION_TTL_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(12),
    METRICS_TOKEN: z.string().min(16).optional(),
    RECONNECT_GRACE_SECONDS: z.coerce.number().min(0).max(600).default(60),
    // The crew phone sends only the simulcast layers someone consumes (session/layer-demand.ts).
    SIMULCAST_ONLY_CONSUMED: bool.default(true),
    // Evidence stills a crew may send per inspection (inspection-record/).
    EVIDENCE_QUOTA_STILLS: z.coerce.number().int().min(1).max(100_000).default(300),
    EVIDENCE_QUOTA_MB: z.coerce.number().int().min(1).max(1_000_000).default(1024),
    // The largest document (photo or PDF) the crew may send in the chat (chat/).
    DOCUMENT_MAX_MB: z.coerce.number().int().min(1).max(100).default(10),
    // Crew phone in the field (field/).
    POSITION_WARN_KM: z.coerce.number().positive().max(20_000).default(5),
    TURN_URLS: z.string().default(''),
    TURN_SECRET: z.string().min(16).optional(),
    TURN_CREDENTIAL_TTL_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 7)
      .default(12),
    // The inspection kinds whose crew phone starts with its data saver on (comma-separated; the
    // crew can turn it off). 'occasional' surveys follow an incident, often far out on the water.
    DATA_SAVER_KINDS: z.string().default('occasional'),
    // Recording and object store (recording/). Without S3_ENDPOINT an embedded store runs on loopback.
    RECORDINGS_DIR: z.string().min(1).optional(),
    RECORDING_SEGMENT_SECONDS: z.coerce.number().int().min(2).max(600).default(10),
    RECORDING_UPLOAD_RETRY_MAX_SECONDS: z.coerce.number().min(0.1).max(3600).default(60),
    // The staging disk's guard (storage/disk-space.ts): below LOW a warning, below MIN_FREE 'full'.
    RECORDING_DISK_LOW_MB: z.coerce.number().int().min(1).max(10_000_000).default(2048),
    RECORDING_DISK_MIN_FREE_MB: z.coerce.number().int().min(1).max(10_000_000).default(512),
    S3_ENDPOINT: z.url().optional(),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
      .default('cloudship-recordings'),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    // Object lock (compliance mode) on uploads, in days, where the external bucket supports it.
    S3_OBJECT_LOCK_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
    REPLAY_PRESIGNED_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(0),
    // Throttling (auth/throttle.ts), in memory, per process.
    LOGIN_THROTTLE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    LOGIN_THROTTLE_PER_USERNAME: z.coerce.number().int().min(1).max(10_000).default(10),
    LOGIN_THROTTLE_PER_IP: z.coerce.number().int().min(1).max(100_000).default(30),
    LOGIN_THROTTLE_MAX_BLOCK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    CREW_LINK_THROTTLE_PER_IP: z.coerce.number().int().min(1).max(100_000).default(60),
    CREW_LINK_THROTTLE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    EVIDENCE_THROTTLE_PER_LINK: z.coerce.number().int().min(1).max(100_000).default(60),
    EVIDENCE_THROTTLE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    // PDF printing (reports/print-queue.ts): Chromium processes at a time, waiting prints per account.
    PDF_CONCURRENCY: z.coerce.number().int().min(1).max(2).default(1),
    // The authority's time zone (IANA name): reports print their times in it.
    TIME_ZONE: z
      .string()
      .default('Asia/Shanghai')
      .refine((zone) => isTimeZone(zone), 'must be an IANA time zone such as Asia/Shanghai'),
    PDF_QUEUE_PER_USER: z.coerce.number().int().min(1).max(20).default(3),
    // Sealed evidence (seal/): the Ed25519 signing key as PKCS#8 PEM (default: generated into
    // DATA_DIR/seal/signing-key.pem), how often a live log's head is signed, an RFC 3161 TSA.
    SEAL_PRIVATE_KEY: z.string().includes('PRIVATE KEY', { error: 'a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)' }).optional(),
    SEAL_CHECKPOINT_MINUTES: z.coerce.number().min(0.01).max(1440).default(5),
    TSA_URL: z.url({ protocol: /^https?$/ }).optional(),
  })
  .refine((e) => !e.DATABASE_SCHEMA || e.DATABASE_URL, { error: 'DATABASE_SCHEMA needs DATABASE_URL', path: ['DATABASE_SCHEMA'] })
  .refine((e) => e.RTC_MIN_PORT <= e.RTC_MAX_PORT, { error: 'RTC_MIN_PORT must not exceed RTC_MAX_PORT', path: ['RTC_MIN_PORT'] })
  .refine((e) => !e.TLS_CERT === !e.TLS_KEY, { error: 'set both TLS_CERT and TLS_KEY, or neither', path: ['TLS_CERT'] })
  .refine((e) => e.RECORDING_DISK_MIN_FREE_MB <= e.RECORDING_DISK_LOW_MB, {
    error: 'RECORDING_DISK_MIN_FREE_MB must not exceed RECORDING_DISK_LOW_MB',
    path: ['RECORDING_DISK_MIN_FREE_MB'],
  })
  .refine((e) => !e.S3_OBJECT_LOCK_DAYS || e.S3_ENDPOINT, {
    error: 'S3_OBJECT_LOCK_DAYS needs S3_ENDPOINT: the embedded store has no object lock',
    path: ['S3_OBJECT_LOCK_DAYS'],
  })
  .refine((e) => !e.S3_ENDPOINT || (e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY), {
    error: 'S3_ENDPOINT needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY',
    path: ['S3_ENDPOINT'],
  });

export type DatabaseTarget = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string; schema: string | null };

export interface Config {
  host: string;
  port: number;
  https: boolean;
  tls: { certPath: string; keyPath: string } | null;
  /** Base URL put in crew links; derived from the announced address when not set. */
  publicUrl: string | null;
  dataDir: string;
  /** Where inspections are kept: the embedded SQLite file (default), or PostgreSQL (DATABASE_URL). */
  database: DatabaseTarget;
  rtc: {
    /** Where the worker listens for WebRTC media; `announcedAddress` is what clients are told. */
    listenAddresses: { ip: string; announcedAddress?: string }[];
    minPort: number;
    maxPort: number;
  };
  workers: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  admin: { username: string; password: string | null };
  crewLinkTtlMs: number;
  sessionTtlMs: number;
  reconnectGraceMs: number;
  /** Tell phones to turn off simulcast layers nobody consumes (SIMULCAST_ONLY_CONSUMED). */
  simulcastOnlyConsumed: boolean;
  /** Per inspection: at most this many crew stills and bytes. */
  evidenceQuota: { stills: number; bytes: number };
  /** The largest document the crew may send in the chat (bytes). */
  maxDocumentBytes: number;
  /** Crew phone in the field (field/): position warning distance and TURN. */
  field: {
    positionWarnKm: number;
    /** turn:/turns:/stun: URLs; empty = no TURN. */
    turnUrls: string[];
    /** Shared secret of the TURN server's REST API (coturn `static-auth-secret`). */
    turnSecret: string | null;
    turnCredentialTtlMs: number;
    /** The inspection kinds whose crew phone starts with the data saver on (DATA_SAVER_KINDS). */
    dataSaverKinds: InspectionKind[];
  };
  /** Bearer token for /metrics from other hosts; without it /metrics answers loopback only. */
  metricsToken: string | null;
  recording: {
    /** Segments staged before upload (`staging/`) and the embedded store's files (`store/`). */
    dir: string;
    segmentSeconds: number;
    uploadRetryMaxMs: number;
    /** The staging disk: below diskLowMb free it is 'low' (a warning), below diskMinFreeMb 'full' (nothing is written). */
    diskLowMb: number;
    diskMinFreeMb: number;
    /** null: start the embedded store on loopback. */
    s3: { endpoint: string; accessKeyId: string; secretAccessKey: string } | null;
    bucket: string;
    region: string;
    /** S3_OBJECT_LOCK_DAYS: compliance-mode retention of every upload; null: none. */
    objectLockDays: number | null;
    /** > 0: uploaded segments are replayed by redirecting to a presigned GET URL valid this long. */
    presignedSeconds: number;
  };
  /** In-memory throttles (auth/throttle.ts). */
  throttle: {
    /** Wrong passwords per username and per IP within `windowSeconds`; each lockout doubles, up to `maxBlockSeconds`. */
    login: { windowSeconds: number; perUsername: number; perIp: number; maxBlockSeconds: number };
    /** Crew link opens (`/join/:token`, `/api/crew/invitation`) per IP. */
    crewLink: { points: number; windowSeconds: number };
    /** Evidence uploads per crew link. */
    evidence: { points: number; windowSeconds: number };
  };
  /** PDF printing: Chromium processes at a time (1-2) and waiting prints per account. */
  pdf: { concurrency: number; queuePerUser: number };
  /** The authority's time zone (TIME_ZONE): times in reports. */
  timeZone: string;
  /** Sealed evidence (seal/). */
  seal: {
    /** PKCS#8 PEM; null: the key file under DATA_DIR/seal (generated when missing). */
    privateKeyPem: string | null;
    /** A live log's head is signed this often when it has grown. */
    checkpointIntervalMs: number;
    /** RFC 3161 time-stamping authority for final checkpoints; null: none. */
    tsaUrl: string | null;
  };
}

export class ConfigError extends Error {}

/** TURN_URLS: comma-separated turn:, turns: or stun: URLs; TURN servers need TURN_SECRET. */
function parseTurnUrls(value: string, haveSecret: boolean): string[] {
  const urls = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const url of urls) {
    if (!/^(turns?|stuns?):\S+$/.test(url))
      throw new ConfigError(`invalid configuration:\n  TURN_URLS: "${url}" is not a turn:, turns: or stun: URL`);
  }
  if (urls.some((u) => u.startsWith('turn')) && !haveSecret)
    throw new ConfigError('invalid configuration:\n  TURN_URLS: TURN servers need TURN_SECRET');
  return urls;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function parseKinds(value: string): InspectionKind[] {
  const kinds = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const kind of kinds) {
    if (!(INSPECTION_KINDS as readonly string[]).includes(kind))
      throw new ConfigError(
        `invalid configuration:\n  DATA_SAVER_KINDS: "${kind}" is not an inspection kind (${INSPECTION_KINDS.join(', ')})`,
      );
  }
  return kinds as InspectionKind[];
}

/** The first non-internal IPv4 address: what a phone on the same LAN can reach. */
export function detectLanIp(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  // Listening on every interface needs an announced address, or the ICE candidate is useless.
  const announced = e.RTC_ANNOUNCED_IP ?? (e.RTC_LISTEN_IP === '0.0.0.0' ? detectLanIp() : undefined);
  const extra = e.RTC_EXTRA_LISTEN_IPS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const ip of extra) {
    if (!ipv4.safeParse(ip).success)
      throw new ConfigError(`invalid configuration:\n  RTC_EXTRA_LISTEN_IPS: "${ip}" is not an IPv4 address`);
  }
  return {
    host: e.HOST,
    port: e.PORT,
    https: e.HTTPS,
    tls: e.TLS_CERT && e.TLS_KEY ? { certPath: path.resolve(e.TLS_CERT), keyPath: path.resolve(e.TLS_KEY) } : null,
    publicUrl: e.PUBLIC_URL ? new URL(e.PUBLIC_URL).origin : null,
    dataDir,
    database: e.DATABASE_URL
      ? { type: 'postgres', url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA ?? null }
      : { type: 'sqlite', path: e.DB_PATH ? path.resolve(e.DB_PATH) : path.join(dataDir, 'cloudship.sqlite') },
    rtc: {
      listenAddresses: [{ ip: e.RTC_LISTEN_IP, ...(announced ? { announcedAddress: announced } : {}) }, ...extra.map((ip) => ({ ip }))],
      minPort: e.RTC_MIN_PORT,
      maxPort: e.RTC_MAX_PORT,
    },
    workers: e.MEDIASOUP_WORKERS ?? os.availableParallelism(),
    logLevel: e.LOG_LEVEL,
    admin: { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD ?? null },
    crewLinkTtlMs: e.CREW_LINK_TTL_HOURS * 3600_000,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    reconnectGraceMs: e.RECONNECT_GRACE_SECONDS * 1000,
    simulcastOnlyConsumed: e.SIMULCAST_ONLY_CONSUMED,
    evidenceQuota: { stills: e.EVIDENCE_QUOTA_STILLS, bytes: e.EVIDENCE_QUOTA_MB * 1024 * 1024 },
    maxDocumentBytes: e.DOCUMENT_MAX_MB * 1024 * 1024,
    field: {
      positionWarnKm: e.POSITION_WARN_KM,
      turnUrls: parseTurnUrls(e.TURN_URLS, Boolean(e.TURN_SECRET)),
      turnSecret: e.TURN_SECRET ?? null,
      turnCredentialTtlMs: e.TURN_CREDENTIAL_TTL_HOURS * 3600_000,
      dataSaverKinds: parseKinds(e.DATA_SAVER_KINDS),
    },
    metricsToken: e.METRICS_TOKEN ?? null,
    recording: {
      // The repository's recordings/ folder on the embedded defaults; under DATA_DIR when that is
      // set, so that one data directory (a deployment's, or a test's temporary one) holds it all.
      dir: e.RECORDINGS_DIR ? path.resolve(e.RECORDINGS_DIR) : env.DATA_DIR ? path.join(dataDir, 'recordings') : path.resolve('recordings'),
      segmentSeconds: e.RECORDING_SEGMENT_SECONDS,
      uploadRetryMaxMs: e.RECORDING_UPLOAD_RETRY_MAX_SECONDS * 1000,
      diskLowMb: e.RECORDING_DISK_LOW_MB,
      diskMinFreeMb: e.RECORDING_DISK_MIN_FREE_MB,
      s3: e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT, accessKeyId: e.S3_ACCESS_KEY_ID!, secretAccessKey: e.S3_SECRET_ACCESS_KEY! } : null,
      bucket: e.S3_BUCKET,
      region: e.S3_REGION,
      objectLockDays: e.S3_OBJECT_LOCK_DAYS ?? null,
      presignedSeconds: e.REPLAY_PRESIGNED_SECONDS,
    },
    throttle: {
      login: {
        windowSeconds: e.LOGIN_THROTTLE_WINDOW_SECONDS,
        perUsername: e.LOGIN_THROTTLE_PER_USERNAME,
        perIp: e.LOGIN_THROTTLE_PER_IP,
        maxBlockSeconds: Math.max(e.LOGIN_THROTTLE_MAX_BLOCK_SECONDS, e.LOGIN_THROTTLE_WINDOW_SECONDS),
      },
      crewLink: { points: e.CREW_LINK_THROTTLE_PER_IP, windowSeconds: e.CREW_LINK_THROTTLE_WINDOW_SECONDS },
      evidence: { points: e.EVIDENCE_THROTTLE_PER_LINK, windowSeconds: e.EVIDENCE_THROTTLE_WINDOW_SECONDS },
    },
    pdf: { concurrency: e.PDF_CONCURRENCY, queuePerUser: e.PDF_QUEUE_PER_USER },
    timeZone: e.TIME_ZONE,
    seal: {
      privateKeyPem: e.SEAL_PRIVATE_KEY ?? null,
      checkpointIntervalMs: Math.round(e.SEAL_CHECKPOINT_MINUTES * 60_000),
      tsaUrl: e.TSA_URL ?? null,
    },
  };
}
