// Makes sure a working mediasoup-worker binary sits where mediasoup's JavaScript looks for it
// (node_modules/mediasoup/worker/out/Release/mediasoup-worker), so that every entry point (the
// server, jest, the benches, a bare `tsx` script) finds it without set-up-specific variables.
//
// mediasoup's own postinstall downloads a prebuilt binary or builds with meson, which downloads
// the worker's dependencies from GitHub and wrapdb, hosts this project cannot rely on. So we build
// the worker from the npm tarball against Debian bookworm's packages: for every dependency
// mediasoup's meson.build pulls from a subproject, we write a tiny meson project ("shim") in the
// directory the .wrap file names; meson then uses it instead of downloading.
//
//   openssl, libuv       Debian's libssl-dev, libuv1-dev (libuv 1.44.2 has every uv_* call 3.27 uses)
//   abseil-cpp           Debian's libabsl-dev, with the upstream (non-hardened) options.h, see below
//   flatbuffers          Debian's libflatbuffers-dev + flatbuffers-compiler (flatc runs at build
//                        time: the npm tarball ships only the .fbs schemas; the generated headers
//                        must come from the same flatbuffers version as the headers they include)
//   unordered-dense      scripts/mediasoup-worker/unordered_dense.h (the three names mediasoup
//                        uses, on the standard library; that file says why)
//   libsrtp3             libsrtp 2.5.0 compiled from Debian's source package with OpenSSL, and
//                        scripts/mediasoup-worker/srtp-libsrtp2.patch porting mediasoup's SRTP
//                        wrapper to its API (no libsrtp 3 exists anywhere this project can reach;
//                        the patch says why and when it can go)
//
// scripts/mediasoup-worker/dtls-bio-callback.patch fixes an upstream bug that only shows with an
// OpenSSL built with kernel TLS, as Debian's is: the worker died on its first DTLS record.
//
// Why libsrtp is compiled rather than Debian's libsrtp2 used: Debian's binary uses NSS for its
// crypto, which costs about 5 µs per 1,200-byte packet against about 2 µs with OpenSSL, and the
// worker encrypts every forwarded packet once per consumer. Debian's source package ships the very
// same upstream tarball mediasoup 3.12 pinned (sha256 below), fetched with `apt-get source`.
//
// The build runs in a copy of the package under the cache directory, never in node_modules, and
// only a binary that built, starts, and whose sha256 is recorded becomes a cache entry (renamed
// into place). The cache (~/.cache/cloud-ship-inspection) is keyed by the mediasoup version, the
// hashes of the patch and of the header above, this recipe's version and flags, and the Debian
// package versions, so a fresh clone on the same machine copies the worker in a second, and any
// change to those rebuilds it. A cache entry or node_modules copy whose sha256 does not match its
// record is rebuilt or replaced, with a message.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, log, run } from './util.mjs';

const RECIPE_VERSION = 4; // bump when the shims or the build steps change
const HERE = path.dirname(fileURLToPath(import.meta.url));
// Applied in this order; each file's header says why it exists and when it can go.
const PATCHES = [
  // mediasoup's SRTP wrapper ported to the libsrtp 2.x API (no libsrtp 3 is reachable).
  path.join(HERE, 'mediasoup-worker', 'srtp-libsrtp2.patch'),
  // An upstream bug in the DTLS BIO callback that kills the worker with Debian's KTLS-enabled OpenSSL.
  path.join(HERE, 'mediasoup-worker', 'dtls-bio-callback.patch'),
];
const UNORDERED_DENSE_H = path.join(HERE, 'mediasoup-worker', 'unordered_dense.h');

// The Debian packages the worker is built from (their versions key the cache).
export const WORKER_BUILD_PACKAGES = ['libuv1-dev', 'libssl-dev', 'libabsl-dev', 'libflatbuffers-dev', 'flatbuffers-compiler'];

// The libsrtp 2.x release compiled into the worker: Debian bookworm's libsrtp2 source package
// carries exactly this upstream tarball (the hash mediasoup 3.12.16's libsrtp2.wrap pinned).
const LIBSRTP = {
  version: '2.5.0',
  file: 'libsrtp-2.5.0.tar.gz',
  sha256: '8a43ef8e9ae2b665292591af62aa1a4ae41e468b6d98d8258f91478735da4e09',
  directory: 'libsrtp-2.5.0',
  debianSource: 'libsrtp2',
};

// meson setup options. The release build mediasoup's own Makefile makes.
const MESON_OPTIONS = ['--buildtype', 'release', '-Db_ndebug=true', '-Db_pie=true', '-Db_staticpic=true'];

/**
 * Ways to build the worker on top of MESON_OPTIONS, compared by `npm run bench:worker-build`
 * (README, Benchmarks). The bootstrap builds DEFAULT_FLAVOUR; the others exist for that bench.
 *   cpu    the build is for this machine's CPU only: its model and flags join the cache key;
 *   pgo    profile-guided: an instrumented build is run on a training load (given by the caller),
 *          then rebuilt from its profile; the profile dump needs PGO_PATCH (its header says why).
 */
export const WORKER_FLAVOURS = {
  release: { meson: [], about: "mediasoup's release build (-O3)" },
  lto: { meson: ['-Db_lto=true'], about: 'release + link-time optimisation' },
  native: {
    meson: ['-Db_lto=true', '-Dc_args=-march=native', '-Dcpp_args=-march=native'],
    cpu: true,
    about: 'release + LTO + -march=native',
  },
  pgo: { meson: ['-Db_lto=true'], pgo: true, about: 'release + LTO + profile-guided (trained on bench:capacity)' },
};
export const DEFAULT_FLAVOUR = 'release';
const PGO_PATCH = path.join(HERE, 'mediasoup-worker', 'pgo-profile-dump.patch');

const EMPTY_STATIC = (name) => `${name} = static_library('${name}_shim', 'empty.c')\n`;

// One shim per wrap file (keyed by the wrap's file name without .wrap). Each exports the variables
// mediasoup's meson.build reads; mediasoup passes some of them to link_whole, which needs a static
// library target, hence the empty static libraries. Options mediasoup passes in default_options
// must be declared in the shim's meson_options.txt.
const SHIMS = {
  openssl: {
    meson: `project('openssl', 'c')
openssl_dep = dependency('openssl')
libssl_dep = dependency('libssl')
libcrypto_dep = dependency('libcrypto')
${EMPTY_STATIC('libcrypto_lib')}${EMPTY_STATIC('libssl_lib')}`,
  },
  libuv: {
    meson: `project('libuv', 'c')
libuv_dep = dependency('libuv')
${EMPTY_STATIC('libuv')}`,
    options: `option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)
`,
  },
  // The worker uses flatbuffers' headers only (builders, verifiers, reflection names): no link
  // to libflatbuffers.so, so it is not a run-time dependency. flatc and the headers must be the
  // same release (generated code static_asserts it); checked here rather than at compile time.
  // mediasoup's find_program('flatc') then finds the same /usr/bin/flatc (overriding it here is
  // refused by meson once it has been found).
  flatbuffers: {
    meson: `project('flatbuffers', 'c', 'cpp')
_fb = dependency('flatbuffers', allow_fallback: false)
_flatc = find_program('flatc', required: true)
_flatc_version = run_command(_flatc, '--version', check: true).stdout().strip().split(' ')[-1]
if _flatc_version != _fb.version()
  error('flatc is ' + _flatc_version + ' but the flatbuffers headers are ' + _fb.version() + ': install the same version of flatbuffers-compiler and libflatbuffers-dev')
endif
flatbuffers_dep = _fb.partial_dependency(compile_args: true, includes: true)
${EMPTY_STATIC('flatbuffers_lib')}`,
  },
  'unordered-dense': {
    meson: `project('unordered_dense', 'cpp')
ankerl_unordered_dense_dep = declare_dependency(include_directories: include_directories('include'))
`,
    files: { 'include/ankerl/unordered_dense.h': () => fs.readFileSync(UNORDERED_DENSE_H, 'utf8') },
  },
  // libsrtp 2.5.0 (its own meson build, from the tarball in packagecache: see libsrtp2.wrap
  // below), under the names mediasoup's meson.build expects of its libsrtp 3.
  libsrtp3: {
    meson: `project('libsrtp3', 'c')
_srtp = subproject('libsrtp2', default_options: ['warning_level=0', 'default_library=static',
  'crypto-library=openssl', 'crypto-library-kdf=disabled', 'tests=disabled', 'pcap-tests=disabled',
  'doc=disabled', 'fuzzer=disabled'])
libsrtp3_dep = _srtp.get_variable('libsrtp2_dep')
libsrtp3 = _srtp.get_variable('libsrtp2')
`,
    options: `option('crypto-library', type: 'string', value: 'openssl')
option('crypto-library-kdf', type: 'feature', value: 'disabled')
option('tests', type: 'feature', value: 'disabled')
`,
  },
  // Debian builds abseil "hardened" (ABSL_OPTION_HARDENED 1): a container misuse traps (SIGILL)
  // instead of being undefined behaviour. That is how mediasoup 3.12.16's ~WebRtcServer erasing
  // from a set while iterating it killed the worker. In 3.27 abseil serves only the bundled
  // libwebrtc (bandwidth estimation), but the worker keeps upstream's setting (0), the one
  // mediasoup is built and tested with: an overlay options.h is put first on the include path of
  // everything that includes abseil (-DABSL_OPTION_HARDENED=0 would not work: the header
  // redefines it), and setup fails if it is not effective.
  'abseil-cpp': {
    meson: `project('abseil-cpp', 'c', 'cpp')
subdir('overlay/absl/base')
_overlay_inc = include_directories('overlay')
_hardened = meson.get_compiler('cpp').get_define('ABSL_OPTION_HARDENED',
  prefix: '#include "absl/base/config.h"', include_directories: _overlay_inc)
if _hardened != '0'
  error('abseil overlay not effective: ABSL_OPTION_HARDENED is "' + _hardened + '"')
endif
_overlay = declare_dependency(include_directories: _overlay_inc)
absl_container_dep = declare_dependency(dependencies: [_overlay, dependency('absl_flat_hash_map'), dependency('absl_btree'), dependency('absl_inlined_vector')])
absl_strings_dep = declare_dependency(dependencies: [_overlay, dependency('absl_strings')])
absl_types_dep = declare_dependency(dependencies: [_overlay, dependency('absl_optional'), dependency('absl_variant')])
${EMPTY_STATIC('absl_container_lib')}`,
    files: {
      // Generated at setup into <builddir>/.../overlay/absl/base/options.h, which
      // include_directories('overlay') puts ahead of the system headers.
      'overlay/absl/base/meson.build': () => `_system = dependency('absl_base', allow_fallback: false).get_variable(pkgconfig: 'includedir')
configure_file(input: _system / 'absl' / 'base' / 'options.h', output: 'options.h', capture: true,
  command: ['sed', 's/^#define ABSL_OPTION_HARDENED 1$/#define ABSL_OPTION_HARDENED 0/', '@INPUT@'])
`,
    },
  },
  // Only mediasoup's C++ tests use Catch2; they are not built.
  catch2: {
    meson: `project('catch2', 'cpp')
catch2_dep = declare_dependency()
`,
  },
};

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'cloud-ship-inspection');
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The CPU a -march=native build is for: model name and feature flags. */
function cpuIdentity() {
  const info = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const field = (name) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1].trim() ?? 'unknown';
  return `${field('model name')} / ${crypto.createHash('sha256').update(field('flags')).digest('hex').slice(0, 12)}`;
}

function patchesFor(flavour) {
  return flavour.pgo ? [...PATCHES, PGO_PATCH] : PATCHES;
}

/**
 * What the worker is built from; any change gives another cache key (and a rebuild). The release
 * flavour's text is the recipe from before flavours existed, so its cache entries stay valid.
 */
function recipe(version, flavourName = DEFAULT_FLAVOUR, training = null) {
  const flavour = WORKER_FLAVOURS[flavourName];
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package}=${Version}\n', ...WORKER_BUILD_PACKAGES], { encoding: 'utf8' });
  const text = [
    `recipe ${RECIPE_VERSION}`,
    `mediasoup ${version}`,
    ...patchesFor(flavour).map((p) => `patch ${path.basename(p)} ${sha256(p)}`),
    `unordered_dense.h ${sha256(UNORDERED_DENSE_H)}`,
    `libsrtp ${LIBSRTP.version} ${LIBSRTP.sha256}`,
    `meson ${[...MESON_OPTIONS, ...flavour.meson].join(' ')}`,
    ...(flavour.cpu ? [`cpu ${cpuIdentity()}`] : []),
    ...(flavour.pgo ? [`pgo training ${training?.id ?? 'none'}`] : []),
    (r.stdout ?? '').trim(),
  ].join('\n');
  const prefix = flavourName === 'release' ? 'mediasoup-worker' : `mediasoup-worker-${flavourName}`;
  return { text, key: `${prefix}-${version}-${crypto.createHash('sha256').update(text).digest('hex').slice(0, 12)}` };
}

/** A binary "works" when the dynamic loader resolves it: run without its env it exits with 41. */
function works(bin) {
  if (!fs.existsSync(bin)) return false;
  const r = spawnSync(bin, [], { env: {}, encoding: 'utf8', timeout: 5000 });
  return r.status === 41;
}

/**
 * The cache entry for a key: the binary `<key>` and its record `<key>.json` ({ sha256, ... }),
 * written after the binary, so a binary without a record is an interrupted build.
 * Returns { bin, sha256 } when the entry is complete and intact, else null (with a message when
 * something was there but is unusable).
 */
function cachedWorker(cache, key) {
  const bin = path.join(cache, key);
  const recordFile = `${bin}.json`;
  if (!fs.existsSync(bin)) return null;
  let record;
  try {
    record = JSON.parse(fs.readFileSync(recordFile, 'utf8'));
  } catch {
    log(`the cached mediasoup worker ${bin} has no record of its build (interrupted?): rebuilding it`);
    return null;
  }
  const actual = sha256(bin);
  if (actual !== record.sha256) {
    log(
      `the cached mediasoup worker ${bin} is corrupted (sha256 ${actual.slice(0, 12)}..., recorded ${String(record.sha256).slice(0, 12)}...): rebuilding it`,
    );
    return null;
  }
  if (!works(bin)) {
    log(`the cached mediasoup worker ${bin} does not start (a library it links is missing?): rebuilding it`);
    return null;
  }
  return { bin, sha256: actual };
}

function wrapField(subprojects, wrapFile, name) {
  const text = fs.readFileSync(path.join(subprojects, wrapFile), 'utf8');
  return new RegExp(`^${name}\\s*=\\s*(.+)$`, 'm').exec(text)?.[1].trim();
}

/** Writes a shim into the directory a wrap names. */
function writeShim(subprojects, wrapFile, shim) {
  const dir = wrapField(subprojects, wrapFile, 'directory');
  if (!dir) fail(`cannot read the directory of ${wrapFile}`);
  const target = path.join(subprojects, dir);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  fs.writeFileSync(path.join(target, 'meson.build'), shim.meson);
  fs.writeFileSync(path.join(target, 'empty.c'), '/* placeholder for link_whole */\n');
  if (shim.options) fs.writeFileSync(path.join(target, 'meson_options.txt'), shim.options);
  for (const [file, content] of Object.entries(shim.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.writeFileSync(path.join(target, file), content());
  }
}

/** A shim for every wrap mediasoup's build can pull; a wrap without one stops the build. */
function writeShims(workerDir, version) {
  const subprojects = path.join(workerDir, 'subprojects');
  const wraps = fs.readdirSync(subprojects).filter((f) => f.endsWith('.wrap'));
  // wingetopt: Windows only.
  const unknown = wraps.map((w) => w.slice(0, -5)).filter((name) => !SHIMS[name] && name !== 'wingetopt');
  if (unknown.length) {
    fail(
      `mediasoup ${version} needs dependencies this recipe has no Debian source for: ${unknown.join(', ')} (see scripts/mediasoup-worker.mjs)`,
    );
  }
  for (const wrap of wraps) {
    const shim = SHIMS[wrap.slice(0, -5)];
    if (shim) writeShim(subprojects, wrap, shim);
  }
  // The libsrtp3 shim builds this wrap: meson extracts the tarball from packagecache (checking
  // its sha256) and builds it with libsrtp's own meson.build. The URL is never used
  // (--wrap-mode=nodownload).
  fs.writeFileSync(
    path.join(subprojects, 'libsrtp2.wrap'),
    `[wrap-file]
directory = ${LIBSRTP.directory}
source_url = https://github.com/cisco/libsrtp/archive/refs/tags/v${LIBSRTP.version}.tar.gz
source_filename = ${LIBSRTP.file}
source_hash = ${LIBSRTP.sha256}
`,
  );
}

/**
 * unordered_dense.h provides map, set and hash only; a mediasoup that uses another name of the
 * library stops here, rather than with a compile error deep in the build.
 */
function checkUnorderedDenseUse(workerDir, version) {
  const used = new Set();
  const scan = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) scan(p);
      else if (/\.(c|cc|cpp|h|hpp)$/.test(entry.name)) {
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/ankerl::unordered_dense::\s*(\w+)/g)) used.add(m[1]);
      }
    }
  };
  for (const dir of ['src', 'include', 'deps']) scan(path.join(workerDir, dir));
  const extra = [...used].filter((n) => !['map', 'set', 'hash'].includes(n));
  if (extra.length) {
    fail(
      `mediasoup ${version} uses ankerl::unordered_dense::${extra.join(', ::')}, which scripts/mediasoup-worker/unordered_dense.h does not provide: extend that header`,
    );
  }
}

/** Applies the project's patches; one that does not apply (a newer mediasoup) stops the build. */
function applyPatches(packageDir, version, patches) {
  for (const file of patches) {
    const rel = path.relative(process.cwd(), file);
    const dry = spawnSync('patch', ['-p1', '--forward', '--batch', '--dry-run', '-i', file], { cwd: packageDir, encoding: 'utf8' });
    if (dry.error) fail(`patch could not start (${dry.error.message}): install it with apt-get install patch`);
    if (dry.status !== 0) {
      fail(
        `${rel} does not apply to mediasoup ${version}:\n${(dry.stdout + dry.stderr).trim()}\n` +
          `The header of that file says what it changes and why. mediasoup ${version} changed those lines: port the patch ` +
          `(or delete it if upstream fixed what it fixes), or pin the mediasoup release it was made for, then run the command again.`,
      );
    }
    run('patch', ['-p1', '--forward', '--batch', '--no-backup-if-mismatch', '-i', file], {
      cwd: packageDir,
      quiet: true,
      what: `patch ${rel}`,
    });
  }
}

/** The deb-src line for this machine's Debian release, on the mirror apt already uses. */
function debianSourceLine() {
  const read = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '');
  const codename = /^VERSION_CODENAME=(\S+)$/m.exec(read('/etc/os-release'))?.[1] ?? 'bookworm';
  const mirror = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s/m.exec(read('/etc/apt/sources.list'));
  let uri = mirror && mirror[2] === codename ? mirror[1] : null;
  const parts = fs.existsSync('/etc/apt/sources.list.d')
    ? fs.readdirSync('/etc/apt/sources.list.d').filter((f) => f.endsWith('.sources'))
    : [];
  for (const f of parts) {
    for (const stanza of read(path.join('/etc/apt/sources.list.d', f)).split(/\n\s*\n/)) {
      const get = (k) => new RegExp(`^${k}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim().split(/\s+/) ?? [];
      if (!uri && get('Types').includes('deb') && get('Suites').includes(codename)) uri = get('URIs')[0] ?? null;
    }
  }
  return `deb-src ${uri ?? 'http://deb.debian.org/debian'} ${codename} main\n`;
}

/** Runs a command; returns null when it succeeded, else a one-line reason. */
function attempt(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (r.error) return `${cmd} could not start: ${r.error.message}`;
  if (r.status !== 0) return `${cmd} ${args.at(-1)} exited with ${r.status}: ${(r.stderr || r.stdout || '').trim().split('\n').pop()}`;
  return null;
}

/**
 * The libsrtp tarball, from the cache or else from Debian's source package (its sha256 checked).
 * apt runs with a private sources list and lists directory, so the machine's apt configuration is
 * not touched. Stops the set-up, saying what is missing, when it cannot be had.
 */
function libsrtpSource(cache) {
  const cached = path.join(cache, 'sources', LIBSRTP.file);
  if (fs.existsSync(cached) && sha256(cached) === LIBSRTP.sha256) return cached;
  log(`fetching the libsrtp ${LIBSRTP.version} source from Debian's source package ${LIBSRTP.debianSource}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'libsrtp-src-'));
  const line = debianSourceLine();
  const why = (() => {
    try {
      const list = path.join(tmp, 'sources.list');
      fs.writeFileSync(list, line);
      fs.mkdirSync(path.join(tmp, 'lists', 'partial'), { recursive: true });
      const apt = [
        '-o',
        `Dir::Etc::SourceList=${list}`,
        '-o',
        'Dir::Etc::SourceParts=/dev/null',
        '-o',
        `Dir::State::Lists=${path.join(tmp, 'lists')}`,
      ];
      const failed =
        attempt('apt-get', [...apt, 'update'], tmp) ?? attempt('apt-get', [...apt, 'source', '--download-only', LIBSRTP.debianSource], tmp);
      if (failed) return failed;
      const orig = fs
        .readdirSync(tmp)
        .find((f) => f.startsWith(`${LIBSRTP.debianSource}_${LIBSRTP.version}`) && f.endsWith('.orig.tar.gz'));
      if (!orig)
        return `the source package is not version ${LIBSRTP.version} (got: ${fs
          .readdirSync(tmp)
          .filter((f) => f.endsWith('.dsc'))
          .join(', ')})`;
      const got = sha256(path.join(tmp, orig));
      if (got !== LIBSRTP.sha256) return `${orig} has sha256 ${got}, expected ${LIBSRTP.sha256}`;
      fs.mkdirSync(path.dirname(cached), { recursive: true });
      fs.copyFileSync(path.join(tmp, orig), `${cached}.tmp`);
      fs.renameSync(`${cached}.tmp`, cached);
      return null;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  })();
  if (why) {
    fail(
      `the libsrtp ${LIBSRTP.version} source is missing and could not be fetched from Debian (${line.trim()}): ${why}.\n` +
        `The mediasoup worker compiles it in with OpenSSL. Make that repository reachable (or put ${LIBSRTP.file}, sha256 ${LIBSRTP.sha256}, at ${cached}), then run the same command again (e.g. npm run bootstrap).`,
    );
  }
  return cached;
}

function ensureMeson(cache) {
  const pipDir = path.join(cache, 'pip');
  if (fs.existsSync(path.join(pipDir, 'bin', 'ninja')) && fs.existsSync(path.join(pipDir, 'mesonbuild'))) return pipDir;
  log('installing meson and ninja (pip, into the cache)');
  run('python3', ['-m', 'pip', 'install', '--quiet', '--retries', '0', '--target', pipDir, 'meson>=1.1', 'ninja'], {
    what: 'pip install meson ninja',
  });
  return pipDir;
}

/** Runs a long compile, printing ninja's [n/total] progress about every 20 seconds. */
function compileWithProgress(cmd, args, options, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let last = '';
    let output = '';
    const onData = (d) => {
      const s = d.toString();
      output = (output + s).slice(-20000);
      const m = s.match(/\[\d+\/\d+\]/g);
      if (m) last = m[m.length - 1];
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setInterval(() => last && log(`  ${label} ${last}`), 20000);
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) resolve();
      else reject(new Error(`meson compile ${args.at(-1)} exited with ${code}\n${output.slice(-4000)}`));
    });
  });
}

/**
 * Builds the worker in a scratch copy of the package; returns the path of the built binary.
 * A pgo flavour builds twice in the same tree: instrumented, trained (training.run(binary)), then
 * from the profile the training wrote.
 */
async function build(pkgDir, version, cache, scratch, flavour, training) {
  const pipDir = ensureMeson(cache);
  const srtpTarball = libsrtpSource(cache);
  // Only what the worker build reads; node_modules stays as npm installed it.
  fs.cpSync(path.join(pkgDir, 'worker'), path.join(scratch, 'worker'), {
    recursive: true,
    filter: (src) => !src.startsWith(path.join(pkgDir, 'worker', 'out')),
  });
  const workerDir = path.join(scratch, 'worker');
  applyPatches(scratch, version, patchesFor(flavour));
  checkUnorderedDenseUse(workerDir, version);
  writeShims(workerDir, version);
  fs.mkdirSync(path.join(workerDir, 'subprojects', 'packagecache'), { recursive: true });
  fs.copyFileSync(srtpTarball, path.join(workerDir, 'subprojects', 'packagecache', LIBSRTP.file));

  const env = {
    ...process.env,
    PYTHONPATH: pipDir,
    NINJA: path.join(pipDir, 'bin', 'ninja'),
    PATH: `${path.join(pipDir, 'bin')}:${process.env.PATH}`,
  };
  const meson = ['-m', 'mesonbuild.mesonmain'];
  const buildDir = path.join('out', 'Release', 'build');
  // The instrumented build links libgcov from an archive; the weak reference in PGO_PATCH alone
  // would not pull __gcov_dump out of it, so the link asks for it by name.
  const pgoGenerate = ['-Db_pgo=generate', '-Dcpp_link_args=-Wl,--undefined=__gcov_dump'];
  const options = [...MESON_OPTIONS, ...flavour.meson, ...(flavour.pgo ? pgoGenerate : [])];
  run('python3', [...meson, 'setup', '--wrap-mode=nodownload', ...options, buildDir], {
    cwd: workerDir,
    env,
    quiet: true,
    what: 'meson setup (mediasoup worker)',
  });
  const jobs = String(os.availableParallelism?.() ?? os.cpus().length);
  const compile = async (phase) => {
    try {
      // The generated flatbuffers headers first: libwebrtc includes them without depending on the
      // generator, so a clean parallel build can fail with "transport.h: No such file".
      for (const target of ['flatbuffers-generator', 'mediasoup-worker']) {
        await compileWithProgress(
          'python3',
          [...meson, 'compile', '-C', buildDir, '-j', jobs, target],
          { cwd: workerDir, env },
          `mediasoup worker compile${phase} (${target})`,
        );
      }
    } catch (e) {
      fail(e.message);
    }
  };
  const built = path.join(workerDir, buildDir, 'mediasoup-worker');
  if (flavour.pgo) {
    await compile(', instrumented');
    if (!works(built)) fail(`the instrumented worker at ${built} does not start`);
    log(`training the instrumented worker: ${training.id}`);
    await training.run(built);
    const profiles = fs.readdirSync(path.join(workerDir, buildDir), { recursive: true }).filter((f) => String(f).endsWith('.gcda'));
    if (profiles.length === 0) fail('the training run of the instrumented worker wrote no profile (.gcda files)');
    log(`training wrote ${profiles.length} profiles; rebuilding from them`);
    run('python3', [...meson, 'configure', '-Db_pgo=use', '-Dcpp_link_args=', buildDir], {
      cwd: workerDir,
      env,
      quiet: true,
      what: 'meson configure -Db_pgo=use',
    });
    await compile(', from the profile');
  } else {
    await compile('');
  }
  if (!works(built)) fail(`the built worker at ${built} does not start`);
  return built;
}

/**
 * The cache entry of a flavour's worker, built first when it is missing or damaged.
 * Returns { bin, sha256 }.
 */
async function cachedOrBuilt(pkgDir, version, flavourName, training) {
  const { key, text } = recipe(version, flavourName, training);
  const cache = cacheDir();
  fs.mkdirSync(cache, { recursive: true });
  const entry = cachedWorker(cache, key);
  if (entry) {
    log(`using the cached mediasoup worker ${entry.bin}`);
    return entry;
  }
  const flavour = WORKER_FLAVOURS[flavourName];
  const started = Date.now();
  log(
    `building the mediasoup ${version} worker (${flavourName}: ${flavour.about}) against Debian's packages ` +
      `(about ${flavour.pgo ? '10-20' : '4-8'} minutes on 2 cores)`,
  );
  const scratch = fs.mkdtempSync(path.join(cache, `build-${key}-`));
  // Also when a step fails (fail() exits): no half-built tree is left behind.
  const cleanUp = () => fs.rmSync(scratch, { recursive: true, force: true });
  process.on('exit', cleanUp);
  try {
    const built = await build(pkgDir, version, cache, scratch, flavour, training);
    const bin = path.join(cache, key);
    const hash = sha256(built);
    // Binary first, then its record: an entry is complete only with both (cachedWorker()).
    fs.rmSync(`${bin}.json`, { force: true });
    fs.copyFileSync(built, `${bin}.tmp-${process.pid}`);
    fs.chmodSync(`${bin}.tmp-${process.pid}`, 0o755);
    fs.renameSync(`${bin}.tmp-${process.pid}`, bin);
    const record = { sha256: hash, built: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000), recipe: text };
    fs.writeFileSync(`${bin}.json.tmp-${process.pid}`, `${JSON.stringify(record, null, 2)}\n`);
    fs.renameSync(`${bin}.json.tmp-${process.pid}`, `${bin}.json`);
    log(`mediasoup worker built in ${record.seconds} s, cached at ${bin}`);
    return { bin, sha256: hash };
  } finally {
    cleanUp();
    process.off('exit', cleanUp);
  }
}

function mediasoupPackage(root) {
  const pkgDir = path.join(root, 'node_modules', 'mediasoup');
  return { pkgDir, version: JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version };
}

/**
 * A worker of another flavour, for `npm run bench:worker-build`: its path in the cache (built
 * there when missing). node_modules keeps the default worker. A pgo flavour needs `training`:
 * { id: what the training run is (joins the cache key), run: async (binary) => ... }.
 */
export async function workerOfFlavour(root, flavourName, training = null) {
  if (!WORKER_FLAVOURS[flavourName]) fail(`unknown worker flavour ${flavourName} (flavours: ${Object.keys(WORKER_FLAVOURS).join(', ')})`);
  if (WORKER_FLAVOURS[flavourName].pgo && !training) fail(`the ${flavourName} worker needs a training run`);
  const { pkgDir, version } = mediasoupPackage(root);
  return (await cachedOrBuilt(pkgDir, version, flavourName, training)).bin;
}

export async function ensureMediasoupWorker(root) {
  const { pkgDir, version } = mediasoupPackage(root);
  const target = path.join(pkgDir, 'worker', 'out', 'Release', 'mediasoup-worker');
  // The stamp names the cache entry the binary in node_modules came from and its sha256, so a
  // changed recipe (or changed Debian packages) replaces it even when node_modules is kept, and
  // so does a damaged copy.
  const stamp = `${target}.recipe`;
  const { key } = recipe(version);
  const [stampedKey, stampedSha] = (fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8') : '').trim().split(/\s+/);
  if (stampedKey === key) {
    if (fs.existsSync(target) && sha256(target) === stampedSha && works(target)) return;
    log(`the mediasoup worker in node_modules does not match its record (missing, sha256 or does not start): replacing it`);
  } else if (stampedKey) {
    log(`the mediasoup worker in node_modules was built from another recipe (${stampedKey}): replacing it with ${key}`);
  }
  const entry = await cachedOrBuilt(pkgDir, version, DEFAULT_FLAVOUR, null);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Copy then rename: a worker still running from the old file keeps its inode (no ETXTBSY).
  fs.copyFileSync(entry.bin, `${target}.tmp`);
  fs.chmodSync(`${target}.tmp`, 0o755);
  fs.renameSync(`${target}.tmp`, target);
  fs.writeFileSync(stamp, `${key} ${entry.sha256}\n`);
}
