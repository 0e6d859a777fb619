// One logger per module, one grammar: `method() | what happened [key:value ...]`, and every state
// transition as `from -> to`. Lines are written by pino: JSON lines (one object per line, with
// `module` and the context keys as fields) when the output is not a terminal, so a log shipper can
// index them; on a terminal the same readable line as always:
//   2026-12-01T21:00:00.000Z INFO  room: join() | participant joined [inspectionId:..., role:crew]
// `child({ inspectionId, participantId })` binds ids once, so a room's or a run's lines carry them.
import pino from 'pino';

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50, silent: Infinity } as const;
export type LogLevel = keyof typeof LEVELS;

const envLevel = process.env.LOG_LEVEL as LogLevel | undefined;
let threshold: number = envLevel && envLevel in LEVELS ? LEVELS[envLevel] : LEVELS.info;

/** The level is global and may change after modules created their loggers (config is read later). */
export function setLogLevel(level: LogLevel): void {
  threshold = LEVELS[level];
}

export type LogContext = Record<string, string | number | boolean | null | undefined>;

const LEVEL_NAMES: Record<number, string> = { 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR' };

/** pino's JSON line as the readable grammar, warnings and errors to stderr (a terminal only). */
function prettyLine(json: string): { text: string; toStderr: boolean } {
  const { level, time, module, msg, err, ...ctx } = JSON.parse(json) as Record<string, unknown> & {
    level: number;
    time: string;
    module?: string;
    msg: string;
    err?: { stack?: string; message?: string };
  };
  delete ctx.pid;
  delete ctx.hostname;
  const pairs = Object.entries(ctx).map(([k, v]) => `${k}:${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const context = pairs.length ? ` [${pairs.join(', ')}]` : '';
  const name = LEVEL_NAMES[level] ?? String(level);
  const stack = err ? `\n  ${err.stack ?? err.message ?? ''}` : '';
  return { text: `${time} ${name.padEnd(5)} ${module ?? '-'}: ${msg}${context}${stack}\n`, toStderr: level >= LEVELS.warn };
}

const terminal = process.stdout.isTTY === true;
const destination: pino.DestinationStream = terminal
  ? {
      write(json: string) {
        const { text, toStderr } = prettyLine(json);
        (toStderr ? process.stderr : process.stdout).write(text);
      },
    }
  : pino.destination({ fd: 1, sync: true });

// The root logger lets everything through; Logger checks the global threshold first, so a level
// set after a module created its logger applies to it as well.
const root = pino(
  {
    level: 'trace',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err },
  },
  destination,
);

export class Logger {
  private readonly pino: pino.Logger;

  constructor(
    private readonly module: string,
    private readonly bindings: LogContext = {},
  ) {
    this.pino = root.child({ module, ...bindings });
  }

  /** A logger whose every line carries these fields too (e.g. inspectionId, participantId). */
  child(bindings: LogContext): Logger {
    return new Logger(this.module, { ...this.bindings, ...bindings });
  }

  private write(level: Exclude<LogLevel, 'silent'>, message: string, ctx?: LogContext, err?: unknown): void {
    if (LEVELS[level] < threshold) return;
    const fields: Record<string, unknown> = {};
    if (ctx) for (const [k, v] of Object.entries(ctx)) if (v !== undefined) fields[k] = v;
    if (err !== undefined) fields.err = err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err));
    this.pino[level](fields, message);
  }

  debug(message: string, ctx?: LogContext): void {
    this.write('debug', message, ctx);
  }
  info(message: string, ctx?: LogContext): void {
    this.write('info', message, ctx);
  }
  warn(message: string, ctx?: LogContext, err?: unknown): void {
    this.write('warn', message, ctx, err);
  }
  error(message: string, ctx?: LogContext, err?: unknown): void {
    this.write('error', message, ctx, err);
  }
}
