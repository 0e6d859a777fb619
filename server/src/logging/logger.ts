// One logger per module, one grammar: `method() | what happened [key:value ...]`.
// State transitions are logged as `from -> to`.
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

let threshold: number = LEVELS[(process.env.LOG_LEVEL as LogLevel) in LEVELS ? (process.env.LOG_LEVEL as LogLevel) : 'info'];

export function setLogLevel(level: LogLevel): void {
  threshold = LEVELS[level];
}

export type LogContext = Record<string, string | number | boolean | null | undefined>;

function format(ctx?: LogContext): string {
  if (!ctx) return '';
  const parts = Object.entries(ctx)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}:${v}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

export class Logger {
  constructor(private readonly module: string) {}

  private write(level: Exclude<LogLevel, 'silent'>, message: string, ctx?: LogContext, err?: unknown): void {
    if (LEVELS[level] < threshold) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${this.module}: ${message}${format(ctx)}`;
    const stream = level === 'error' || level === 'warn' ? process.stderr : process.stdout;
    stream.write(err instanceof Error ? `${line}\n  ${err.stack ?? err.message}\n` : `${line}\n`);
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
