// Makes sure a working mediasoup-worker binary sits where mediasoup's JavaScript looks for it
// (node_modules/mediasoup/worker/out/Release/mediasoup-worker).
//
// mediasoup's own postinstall downloads a prebuilt binary or builds with meson, which downloads
// openssl, libuv, libsrtp, abseil, usrsctp ... from hosts this project cannot rely on. So we
// build the worker against Debian bookworm's system libraries instead: for every dependency
// mediasoup's meson.build pulls from a subproject, we write a tiny meson project ("shim") in the
// directory the .wrap file names; meson then uses it instead of downloading. mediasoup 3.12.16 is
// pinned because it is the newest release whose dependencies match bookworm's library versions.
//
// One dependency is built from source rather than shimmed: libsrtp. Debian's libsrtp2 uses NSS for
// its crypto, which costs about 5 µs per 1,200-byte packet against about 2 µs with OpenSSL, and
// the worker encrypts every forwarded packet once per consumer. mediasoup's own build compiles
// libsrtp 2.5.0 with OpenSSL; Debian's source package ships the very same upstream tarball (the
// wrap's sha256 matches), so we fetch it with `apt-get source` and put it in meson's package
// cache, and meson builds libsrtp exactly as upstream mediasoup does. Where the source cannot be
// had (no deb-src on the configured mirror, another Debian release), the worker is built against
// Debian's libsrtp2 instead, with a warning: it works, with about 40% fewer sessions per core.
//
// The result is cached in ~/.cache/cloud-ship-inspection keyed by the mediasoup version and the
// Debian library versions, so a fresh clone on the same machine copies it in a second.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fail, log, run } from './util.mjs';

const RECIPE_VERSION = 3; // bump when the shims or build flags change
// The Debian libraries the worker links (their versions key the cache). libsrtp2-dev is installed
// too, but only a fallback build uses it (its key says so).
const LIBS = ['libuv1-dev', 'libssl-dev', 'libabsl-dev', 'libusrsctp-dev', 'nlohmann-json3-dev'];

const EMPTY_STATIC = (name) => `${name} = static_library('${name}_shim', 'empty.c')\n`;

// Only when libsrtp's source cannot be fetched (see above): Debian's shared libsrtp2 (NSS crypto).
// mediasoup includes <srtp.h>; Debian puts it in <includedir>/srtp2.
const SYSTEM_LIBSRTP_SHIM = {
  meson: `project('libsrtp2', 'c')
_srtp = dependency('libsrtp2')
libsrtp2_dep = declare_dependency(dependencies: _srtp,
  compile_args: ['-I' + _srtp.get_variable(pkgconfig: 'includedir') / 'srtp2'])
${EMPTY_STATIC('libsrtp2')}`,
  options: `option('crypto-library', type: 'string', value: 'openssl')
option('crypto-library-kdf', type: 'feature', value: 'disabled')
option('tests', type: 'feature', value: 'disabled')
`,
};

// One shim per wrap file (keyed by the wrap's file name without .wrap). Each wraps the pkg-config
// dependency and exports the variables mediasoup's meson.build reads; mediasoup passes some of
// them to link_whole, which needs a static library target, hence the empty static libraries.
const SHIMS = {
  openssl: {
    meson: `project('openssl', 'c')
openssl_dep = dependency('openssl')
libssl_dep = dependency('libssl')
libcrypto_dep = dependency('libcrypto')
${EMPTY_STATIC('libcrypto_lib')}${EMPTY_STATIC('libssl_lib')}`,
  },
  nlohmann_json: {
    meson: `project('nlohmann_json', 'cpp')
nlohmann_json_dep = dependency('nlohmann_json')
`,
  },
  libuv: {
    meson: `project('libuv', 'c')
libuv_dep = dependency('libuv')
${EMPTY_STATIC('libuv')}`,
    options: `option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)
`,
  },
  usrsctp: {
    meson: `project('usrsctp', 'c')
usrsctp_dep = dependency('usrsctp')
${EMPTY_STATIC('usrsctp')}`,
    options: `option('sctp_build_programs', type: 'boolean', value: false)
`,
  },
  // Debian builds abseil "hardened" (ABSL_OPTION_HARDENED 1): a container misuse traps. mediasoup
  // 3.12.16's ~WebRtcServer erases from a set while iterating it (fixed upstream in 3.14.1), which
  // then kills the worker with SIGILL. An overlay options.h with the upstream default (0) is put
  // first on the include path of everything that includes abseil; -DABSL_OPTION_HARDENED=0 would
  // not work because the header redefines it.
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
      'overlay/absl/base/meson.build': `_system = dependency('absl_base', allow_fallback: false).get_variable(pkgconfig: 'includedir')
configure_file(input: _system / 'absl' / 'base' / 'options.h', output: 'options.h', capture: true,
  command: ['sed', 's/^#define ABSL_OPTION_HARDENED 1$/#define ABSL_OPTION_HARDENED 0/', '@INPUT@'])
`,
    },
  },
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

function cacheKey(version) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package}=${Version}\n', ...LIBS], { encoding: 'utf8' });
  const h = crypto.createHash('sha256').update(`${RECIPE_VERSION}\n${version}\n${r.stdout ?? ''}`);
  return `mediasoup-worker-${version}-${h.digest('hex').slice(0, 12)}`;
}

/** A binary "works" when the dynamic loader resolves it: run without its env it exits with 41. */
function works(bin) {
  if (!fs.existsSync(bin)) return false;
  const r = spawnSync(bin, [], { env: {}, encoding: 'utf8', timeout: 5000 });
  return r.status === 41;
}

function wrapField(subprojects, wrapFile, name) {
  const text = fs.readFileSync(path.join(subprojects, wrapFile), 'utf8');
  return new RegExp(`^${name}\\s*=\\s*(.+)$`, 'm').exec(text)?.[1].trim();
}

/** Writes a shim into the directory a wrap names (replacing whatever was there). */
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
    fs.writeFileSync(path.join(target, file), content);
  }
}

function writeShims(workerDir) {
  const subprojects = path.join(workerDir, 'subprojects');
  for (const wrap of fs.readdirSync(subprojects).filter((f) => f.endsWith('.wrap'))) {
    const shim = SHIMS[wrap.slice(0, -5)];
    if (shim) writeShim(subprojects, wrap, shim); // no shim: e.g. wraps mediasoup only uses for fuzzers/tests
  }
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
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
 * Puts the libsrtp source tarball libsrtp2.wrap names into subprojects/packagecache, from the
 * cache or else from Debian's source package (the same upstream tarball; its sha256 is checked
 * against the wrap's). apt runs with a private sources list and lists directory, so the machine's
 * apt configuration is not touched. Returns null when the source is in place, else why not.
 */
function fetchLibsrtpSource(workerDir, cache) {
  const subprojects = path.join(workerDir, 'subprojects');
  const [file, hash, dir] = ['source_filename', 'source_hash', 'directory'].map((k) => wrapField(subprojects, 'libsrtp2.wrap', k));
  if (!file || !hash || !dir) return 'cannot read source_filename/source_hash/directory of libsrtp2.wrap';
  const version = /(\d+\.\d+\.\d+)/.exec(file)?.[1];
  const cached = path.join(cache, 'sources', file);
  if (!fs.existsSync(cached) || sha256(cached) !== hash) {
    log(`fetching the libsrtp ${version} source from Debian's source package`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'libsrtp-src-'));
    try {
      const list = path.join(tmp, 'sources.list');
      fs.writeFileSync(list, debianSourceLine());
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
        attempt('apt-get', [...apt, 'update'], tmp) ?? attempt('apt-get', [...apt, 'source', '--download-only', 'libsrtp2'], tmp);
      if (failed) return failed;
      const orig = fs.readdirSync(tmp).find((f) => f.startsWith(`libsrtp2_${version}`) && f.endsWith('.orig.tar.gz'));
      if (!orig)
        return `Debian's libsrtp2 source package is not version ${version} (got: ${fs
          .readdirSync(tmp)
          .filter((f) => f.endsWith('.dsc'))
          .join(', ')})`;
      const got = sha256(path.join(tmp, orig));
      if (got !== hash) return `${orig} has sha256 ${got}, but libsrtp2.wrap expects ${hash}`;
      fs.mkdirSync(path.dirname(cached), { recursive: true });
      fs.copyFileSync(path.join(tmp, orig), `${cached}.tmp`);
      fs.renameSync(`${cached}.tmp`, cached);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  fs.mkdirSync(path.join(subprojects, 'packagecache'), { recursive: true });
  fs.copyFileSync(cached, path.join(subprojects, 'packagecache', file));
  // meson extracts the tarball only when the directory is absent (an earlier shim may sit there).
  fs.rmSync(path.join(subprojects, dir), { recursive: true, force: true });
  return null;
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

/** Runs the long compile, printing ninja's [n/total] progress about every 20 seconds. */
function compileWithProgress(cmd, args, options) {
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
    const timer = setInterval(() => last && log(`  mediasoup worker compile ${last}`), 20000);
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) resolve();
      else reject(new Error(`meson compile exited with ${code}\n${output.slice(-4000)}`));
    });
  });
}

export async function ensureMediasoupWorker(root) {
  const pkgDir = path.join(root, 'node_modules', 'mediasoup');
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  const workerDir = path.join(pkgDir, 'worker');
  const target = path.join(workerDir, 'out', 'Release', 'mediasoup-worker');
  // The stamp names the recipe the binary in node_modules came from, so a changed recipe (or
  // changed Debian libraries) replaces it even when node_modules is kept.
  const stamp = `${target}.recipe`;
  const key = cacheKey(version);
  // A worker built against Debian's libsrtp2 because the source was not available is kept too
  // (not retried at every start); delete it from the cache to try again.
  const fallbackKey = `${key}-system-libsrtp2`;
  const stamped = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8') : '';
  if (works(target) && (stamped === key || stamped === fallbackKey)) return;

  const cache = cacheDir();
  let chosen = [key, fallbackKey].find((k) => works(path.join(cache, k)));
  if (chosen) {
    log(`using the cached mediasoup worker ${path.join(cache, chosen)}`);
  } else {
    log(`building the mediasoup ${version} worker against Debian's libraries (about 3-6 minutes on 2 cores)`);
    fs.mkdirSync(cache, { recursive: true });
    const pipDir = ensureMeson(cache);
    writeShims(workerDir);
    const missing = fetchLibsrtpSource(workerDir, cache);
    if (missing) {
      log(
        `WARNING: libsrtp's source is not available (${missing}); building against Debian's libsrtp2 (NSS crypto), which carries about 40% fewer sessions per core`,
      );
      writeShim(path.join(workerDir, 'subprojects'), 'libsrtp2.wrap', SYSTEM_LIBSRTP_SHIM);
    }
    chosen = missing ? fallbackKey : key;
    const env = {
      ...process.env,
      PYTHONPATH: pipDir,
      NINJA: path.join(pipDir, 'bin', 'ninja'),
      PATH: `${path.join(pipDir, 'bin')}:${process.env.PATH}`,
    };
    const meson = ['-m', 'mesonbuild.mesonmain'];
    const buildDir = path.join('out', 'Release', 'build');
    fs.rmSync(path.join(workerDir, buildDir), { recursive: true, force: true });
    run(
      'python3',
      [
        ...meson,
        'setup',
        '--wrap-mode=nodownload',
        '--buildtype',
        'release',
        '-Db_ndebug=true',
        '-Db_pie=true',
        '-Db_staticpic=true',
        buildDir,
      ],
      {
        cwd: workerDir,
        env,
        quiet: true,
        what: 'meson setup (mediasoup worker)',
      },
    );
    try {
      await compileWithProgress(
        'python3',
        [...meson, 'compile', '-C', buildDir, '-j', String(os.availableParallelism?.() ?? os.cpus().length), 'mediasoup-worker'],
        { cwd: workerDir, env },
      );
    } catch (e) {
      fail(e.message);
    }
    const built = path.join(workerDir, buildDir, 'mediasoup-worker');
    if (!works(built)) fail(`the built worker at ${built} does not start`);
    const into = path.join(cache, chosen);
    fs.copyFileSync(built, `${into}.tmp`);
    fs.renameSync(`${into}.tmp`, into); // atomic: a cache entry is always complete
    log(`mediasoup worker cached at ${into}`);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Copy then rename: a worker still running from the old file keeps its inode (no ETXTBSY).
  fs.copyFileSync(path.join(cache, chosen), `${target}.tmp`);
  fs.chmodSync(`${target}.tmp`, 0o755);
  fs.renameSync(`${target}.tmp`, target);
  fs.writeFileSync(stamp, chosen);
}
