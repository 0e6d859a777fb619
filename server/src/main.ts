// Entry point of `npm start`: validated config -> startServer -> print where to go.
import { ConfigError, detectLanIp, loadConfig } from './config/config';
import { setLogLevel } from './logging/logger';
import { startServer } from './app';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\nSee README.md, section Configuration.\n`);
      process.exit(2);
    }
    throw e;
  }
  setLogLevel(config.logLevel);
  const server = await startServer(config);
  const scheme = config.https ? 'https' : 'http';
  const lanHost = config.host === '0.0.0.0' ? detectLanIp() : config.host;
  const base = config.publicUrl ?? `${scheme}://${lanHost}:${server.port}`;
  const lines = [
    '',
    '  云船检 Cloud Ship Inspection is running.',
    `  Surveyor console: ${base}/`,
    ...(config.https && !config.tls ? ['  (self-signed certificate: accept the browser warning once per device)'] : []),
    server.oneTimeAdminPassword
      ? `  First admin sign-in: ${config.admin.username} / ${server.oneTimeAdminPassword}   (shown once; change it or set ADMIN_PASSWORD)`
      : `  Admin account: ${config.admin.username}`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`received ${signal}, stopping\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
