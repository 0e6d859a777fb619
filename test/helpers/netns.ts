// A network namespace for one participant's browser, so a test can cut and throttle that
// participant's network for real (DevTools network emulation does not touch WebRTC media: with it
// set offline, the other side kept decoding 720p at 20 fps).
//
//   host netns                         namespace <name>
//   ┌────────────────────┐  veth pair  ┌──────────────────┐
//   │ <name>h 10.77.N.1  ├─────────────┤ <name>c 10.77.N.2│  Chromium runs here, through a
//   │ (server listens)   │             │ (no other route) │  wrapper `ip netns exec <name> chromium`
//   └────────────────────┘             └──────────────────┘
//
// Addresses come from 10.77.0.0/16 and exist only on veth pairs created here; everything is deleted
// by `destroy()` (idempotent), and by a process 'exit' hook if a test forgot or crashed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_ARGS } from './browser';

export interface NetNs {
  name: string;
  /** Host side of the veth pair: the server listens here. */
  hostIp: string;
  /** The namespace side: the browser's address. */
  nsIp: string;
  hostIf: string;
  nsIf: string;
  /** An executable that runs Chromium inside the namespace (for puppeteer's executablePath). */
  chromiumWrapper: string;
  /** Drop every packet both ways (a blackhole qdisc on both ends, like a dead mobile link). */
  cut(): void;
  /**
   * Let only TCP to `port` out of the namespace (the page and its socket), dropping everything else
   * the browser sends, media over UDP and TCP included: a network that loads the page but blocks
   * media, with no TURN to go round it.
   */
  onlyTcpTo(port: number): void;
  /** Let only these out of the namespace (TCP or UDP to a port; ARP), dropping everything else. */
  allowOnly(rules: Array<{ protocol: 'tcp' | 'udp'; port: number }>): void;
  /** Undo cut(), onlyTcpTo(), allowOnly(), throttle() and lossy(). */
  restore(): void;
  /** Limit both directions to `kbit` kbit/s with a token bucket (tc tbf). */
  throttle(kbit: number): void;
  /**
   * A congested uplink: what the phone sends above `kbit` kbit/s is dropped, not queued (a token
   * bucket with a 10 ms queue on the namespace's end). This kernel has no netem, so random loss is
   * not available; this loses the bursts (key frames, the encoder overshooting) instead.
   */
  lossy(kbit: number): void;
  destroy(): void;
}

const live = new Set<NetNs>();
process.once('exit', () => {
  for (const ns of live) ns.destroy();
});

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

function tc(...args: string[]): void {
  execFileSync('tc', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

function tcQuiet(...args: string[]): void {
  try {
    tc(...args);
  } catch {
    // nothing to delete
  }
}

function existingNames(): Set<string> {
  const out =
    execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }) + execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return new Set(out.match(/csi\d+/g) ?? []);
}

/** Picks a free /24 in 10.77.0.0/16 (1..250) that no other test run is using. */
function pickIndex(): number {
  const used = existingNames();
  const start = (process.pid % 250) + 1;
  for (let i = 0; i < 250; i++) {
    const n = ((start + i - 1) % 250) + 1;
    if (!used.has(`csi${n}`)) return n;
  }
  throw new Error('no free 10.77.N.0/24 for a test namespace');
}

export function createNetNs(): NetNs {
  let n = pickIndex();
  let name = `csi${n}`;
  // Another run may take the same index between the check and the creation: retry a few times.
  for (let attempt = 0; ; attempt++) {
    try {
      ip('netns', 'add', name);
      break;
    } catch (e) {
      if (attempt >= 5) throw e;
      n = pickIndex();
      name = `csi${n}`;
    }
  }
  const hostIf = `${name}h`;
  const nsIf = `${name}c`;
  const hostIp = `10.77.${n}.1`;
  const nsIp = `10.77.${n}.2`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  const chromiumWrapper = path.join(dir, 'chromium-in-netns.sh');
  let destroyed = false;

  const ns: NetNs = {
    name,
    hostIp,
    nsIp,
    hostIf,
    nsIf,
    chromiumWrapper,
    cut() {
      tcQuiet('qdisc', 'del', 'dev', hostIf, 'root');
      ip('netns', 'exec', name, 'tc', 'qdisc', 'replace', 'dev', nsIf, 'root', 'blackhole');
      tc('qdisc', 'replace', 'dev', hostIf, 'root', 'blackhole');
    },
    onlyTcpTo(port: number) {
      ns.allowOnly([{ protocol: 'tcp', port }]);
    },
    allowOnly(rules) {
      // This kernel has no prio qdisc and no drop action, so: an htb whose default class ends in a
      // blackhole, and u32 filters that send what is allowed (and ARP, which keeps the link alive)
      // to a class that passes.
      const inNs = (...args: string[]) => ip('netns', 'exec', name, 'tc', ...args);
      inNs('qdisc', 'replace', 'dev', nsIf, 'root', 'handle', '1:', 'htb', 'default', '20');
      inNs('class', 'add', 'dev', nsIf, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '1gbit');
      inNs('class', 'add', 'dev', nsIf, 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '1gbit');
      inNs('qdisc', 'add', 'dev', nsIf, 'parent', '1:20', 'handle', '20:', 'blackhole');
      const pass = ['flowid', '1:10'];
      for (const { protocol, port } of rules) {
        const match = ['match', 'ip', 'protocol', protocol === 'tcp' ? '6' : '17', '0xff', 'match', 'ip', 'dport', String(port), '0xffff'];
        inNs('filter', 'add', 'dev', nsIf, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', ...match, ...pass);
      }
      inNs('filter', 'add', 'dev', nsIf, 'parent', '1:', 'protocol', 'arp', 'prio', '2', 'u32', 'match', 'u32', '0', '0', ...pass);
    },
    restore() {
      tcQuiet('qdisc', 'del', 'dev', hostIf, 'root');
      try {
        ip('netns', 'exec', name, 'tc', 'qdisc', 'del', 'dev', nsIf, 'root');
      } catch {
        // no qdisc
      }
    },
    throttle(kbit: number) {
      const args = ['root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '32kbit', 'latency', '400ms'];
      tc('qdisc', 'replace', 'dev', hostIf, ...args);
      ip('netns', 'exec', name, 'tc', 'qdisc', 'replace', 'dev', nsIf, ...args);
    },
    lossy(kbit: number) {
      const args = ['root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '4kbit', 'latency', '10ms'];
      ip('netns', 'exec', name, 'tc', 'qdisc', 'replace', 'dev', nsIf, ...args);
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      live.delete(ns);
      // Deleting the namespace deletes its end of the pair, which deletes the host end too;
      // delete the host end explicitly anyway in case the namespace part failed half-way.
      try {
        ip('netns', 'del', name);
      } catch {
        // already gone
      }
      try {
        ip('link', 'del', hostIf);
      } catch {
        // already gone with the namespace
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(ns);

  try {
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', name);
    ip('addr', 'add', `${hostIp}/24`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${nsIp}/24`, 'dev', nsIf);
    ip('netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
    // Only the host side is reachable: no default route, nothing leaves the machine.
    fs.writeFileSync(chromiumWrapper, `#!/bin/sh\nexec ip netns exec ${name} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  } catch (e) {
    ns.destroy();
    throw e;
  }
  return ns;
}

/**
 * Chromium inside the namespace. puppeteer talks to it over a pipe (`pipe: true`): the DevTools
 * port would be inside the namespace, out of reach. `http://10.77.N.1:PORT` is not a secure
 * context, and mediasoup-client's Device needs one, hence the insecure-origin flag.
 */
export async function launchBrowserInNetNs(ns: NetNs, origin: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath: ns.chromiumWrapper,
    pipe: true,
    headless: true,
    args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${origin}`],
  });
}
