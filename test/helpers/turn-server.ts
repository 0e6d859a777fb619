// A real TURN server for tests: Debian's coturn, started as an unprivileged process (uid/gid of
// `nobody`) with the TURN REST API scheme the product's credentials follow (`use-auth-secret`),
// listening for UDP and TCP on one port of one address, relaying from that address. Stopped (and
// its temporary folder removed) by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

export const TURNSERVER = '/usr/bin/turnserver';
const NOBODY = 65534;

export interface TurnServer {
  port: number;
  /** Everything coturn logged so far (allocations, refusals with their reasons). */
  log(): string;
  stop(): Promise<void>;
}

export async function startTurnServer(ip: string, secret: string): Promise<TurnServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'turn-'));
  fs.chmodSync(dir, 0o777); // coturn (as nobody) writes its user database and pid file here
  const port = await freePort(ip);
  const args = [
    '--listening-ip',
    ip,
    '--relay-ip',
    ip,
    '--listening-port',
    String(port),
    // Relays from a range clear of the media worker's ports.
    '--min-port',
    '61000',
    '--max-port',
    '61999',
    '--use-auth-secret',
    '--static-auth-secret',
    secret,
    '--realm',
    'cloudship.test',
    '--fingerprint',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--no-software-attribute',
    '--db',
    path.join(dir, 'turndb'),
    '--pidfile',
    path.join(dir, 'turnserver.pid'),
    '--log-file',
    'stdout',
    '--simple-log',
  ];
  let output = '';
  const child: ChildProcess = spawn(TURNSERVER, args, { uid: NOBODY, gid: NOBODY, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (b: Buffer) => (output += b.toString()));

  // Ready once its TCP listener accepts a connection.
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`turnserver exited (${child.exitCode}):\n${output}`);
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, ip, () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (accepted) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`turnserver did not listen on ${ip}:${port} within 15 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // poll: coturn says nothing when it is ready
  }

  return {
    port,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
