// Checks, before meson runs, that this machine can build mediasoup-worker:
// meson, ninja, pkg-config, a C and a C++ compiler, and the development files
// of every library the worker links from the system (patches/0001): OpenSSL 3,
// libuv, libsrtp2, usrsctp, abseil and nlohmann_json (and Catch2 for the C++
// tests). Every missing piece is reported at once, naming its Debian/Ubuntu
// package: nothing is downloaded, and the worker never falls back to a
// bundled OpenSSL (mediasoup 3.8.4's 1.1.1k let any room participant freeze
// it: CVE-2022-0778).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** meson's oldest version that builds the patched meson.build (Debian 12 has 1.0.1). */
export const MESON_MIN = '1.0.0';

/**
 * The libraries meson looks up with pkg-config (patches/0001), each with the
 * Debian/Ubuntu package that ships its development files.
 */
export const LIBRARIES = [
  { module: 'openssl', version: '3.0.0', what: 'OpenSSL 3', package: 'libssl-dev' },
  { module: 'libuv', version: '1.44.0', what: 'libuv', package: 'libuv1-dev' },
  { module: 'libsrtp2', version: '2.5.0', what: 'libsrtp 2', package: 'libsrtp2-dev' },
  { module: 'usrsctp', what: 'usrsctp', package: 'libusrsctp-dev' },
  { module: 'absl_flat_hash_map', what: 'abseil', package: 'libabsl-dev' },
  { module: 'absl_flat_hash_set', what: 'abseil', package: 'libabsl-dev' },
  { module: 'absl_btree', what: 'abseil', package: 'libabsl-dev' },
  { module: 'absl_inlined_vector', what: 'abseil', package: 'libabsl-dev' },
  { module: 'absl_memory', what: 'abseil', package: 'libabsl-dev' },
  { module: 'absl_strings', what: 'abseil', package: 'libabsl-dev' },
  { module: 'absl_optional', what: 'abseil', package: 'libabsl-dev' },
  {
    module: 'nlohmann_json',
    version: '3.10.5',
    what: 'nlohmann_json',
    package: 'nlohmann-json3-dev',
  },
];

/** What the C++ tests need besides (mediasoup-worker-test). */
export const TEST_LIBRARIES = [
  { module: 'catch2', version: '2.13.0', what: 'Catch2 2', package: 'catch2' },
];

/** A command from an environment variable such as CXX="ccache g++": program and its arguments. */
export function command(value, fallback) {
  const words = (value ?? '').trim().split(/\s+/).filter(Boolean);
  return words.length > 0 ? words : [fallback];
}

function version(argv, env) {
  const [program, ...args] = argv;
  const result = spawnSync(program, [...args, '--version'], { env, encoding: 'utf8' });
  return result.status === 0 ? (result.stdout ?? '').trim() : undefined;
}

function atLeast(have, want) {
  const a = have.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const b = want.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

const OPENSSL_PROBE = `#include <openssl/opensslv.h>
#if !defined(OPENSSL_VERSION_MAJOR) || OPENSSL_VERSION_MAJOR < 3
#error "x-mediasoup-openssl-too-old"
#endif
#include <openssl/ssl.h>
int main() { return SSL_CTX_new(TLS_method()) == nullptr ? 1 : 0; }
`;

/** OPENSSL_VERSION_TEXT of the headers the compiler finds. */
function versionText(cxx) {
  const [program, ...args] = cxx;
  const result = spawnSync(program, [...args, '-E', '-P', '-x', 'c++', '-'], {
    input: '#include <openssl/opensslv.h>\nOPENSSL_VERSION_TEXT\n',
    encoding: 'utf8',
  });
  const last = (result.stdout ?? '').trim().split('\n').pop() ?? '';
  return last.replace(/^"|"$/g, '').trim() || 'unknown version';
}

/**
 * Compiles and links a probe against the system OpenSSL with the C++
 * compiler the build will use. Returns undefined when OpenSSL 3 is usable,
 * or what is wrong.
 */
export function checkOpenSsl(cxx) {
  const dir = mkdtempSync(join(tmpdir(), 'x-mediasoup-preflight-'));
  try {
    const source = join(dir, 'probe.cpp');
    writeFileSync(source, OPENSSL_PROBE);
    const [program, ...args] = cxx;
    const result = spawnSync(
      program,
      [...args, source, '-o', join(dir, 'probe'), '-lssl', '-lcrypto'],
      { encoding: 'utf8' },
    );
    if (result.status === 0) return undefined;
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}${result.error ?? ''}`;
    if (/openssl\/(opensslv|ssl)\.h/.test(output) && /No such file|no include path/i.test(output))
      return 'the OpenSSL 3 development headers are missing (<openssl/opensslv.h> not found)';
    if (output.includes('x-mediasoup-openssl-too-old'))
      return `the OpenSSL headers found are too old (${versionText(cxx)}); OpenSSL 3 is needed`;
    if (/cannot find -lssl|cannot find -lcrypto/.test(output))
      return 'the OpenSSL 3 libraries to link with are missing (libssl.so / libcrypto.so)';
    return `a test program using OpenSSL 3 did not compile and link:\n${output.trim()}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The version pkg-config finds for `module`, or undefined. */
function pkgConfigVersion(module, env) {
  const result = spawnSync('pkg-config', ['--modversion', module], { env, encoding: 'utf8' });
  return result.status === 0 ? (result.stdout ?? '').trim() : undefined;
}

/**
 * Everything the build needs from the system. Returns the problems found
 * (empty when the build can start) and the Debian packages that fix them,
 * each named once. `tests: true` adds what the C++ tests need.
 */
export function preflight(env = process.env, { tests = false } = {}) {
  const problems = [];
  const packages = [];
  const need = (problem, pkg) => {
    problems.push(problem);
    if (!packages.includes(pkg)) packages.push(pkg);
  };
  const cc = command(env.CC, 'cc');
  const cxx = command(env.CXX, 'c++');

  const meson = version(['meson'], env);
  if (meson === undefined) need('meson is not installed (it configures the worker build)', 'meson');
  else if (!atLeast(meson, MESON_MIN))
    need(`meson ${meson} is too old (${MESON_MIN} or newer is needed)`, 'meson');
  if (version(['ninja'], env) === undefined)
    need('ninja is not installed (it runs the compile)', 'ninja-build');
  const haveCxx = version(cxx, env) !== undefined;
  if (version(cc, env) === undefined || !haveCxx)
    need(`no C/C++ compiler (${cc.join(' ')} / ${cxx.join(' ')})`, 'g++');

  const havePkgConfig = version(['pkg-config'], env) !== undefined;
  if (!havePkgConfig)
    need('pkg-config is not installed (meson finds the libraries with it)', 'pkg-config');
  for (const lib of [...LIBRARIES, ...(tests ? TEST_LIBRARIES : [])]) {
    if (!havePkgConfig) {
      if (!packages.includes(lib.package)) packages.push(lib.package);
      continue;
    }
    const found = pkgConfigVersion(lib.module, env);
    if (found === undefined)
      need(`${lib.what} development files are missing (pkg-config: ${lib.module})`, lib.package);
    else if (lib.version && !atLeast(found, lib.version))
      need(
        `${lib.what} ${found} is too old (pkg-config: ${lib.module}; ${lib.version} or newer is needed)`,
        lib.package,
      );
  }

  // OpenSSL 3 as the compiler sees it: the headers meson's check compiles.
  if (haveCxx && !problems.some((p) => p.startsWith('OpenSSL'))) {
    const openssl = checkOpenSsl(cxx);
    if (openssl) need(openssl, 'libssl-dev');
  } else if (!haveCxx && !packages.includes('libssl-dev')) {
    packages.push('libssl-dev');
  }
  return { problems, packages };
}

/** The message for a failed preflight: what is missing and the command that installs it. */
export function preflightMessage({ problems, packages }) {
  return [
    '@x/mediasoup: cannot build mediasoup-worker on this machine:',
    ...problems.map((p) => `  - ${p}`),
    'Install what is missing, then install again (or run: npm rebuild @x/mediasoup):',
    `  Debian/Ubuntu: sudo apt-get install ${packages.join(' ')}`,
    'The worker links these system libraries; nothing is downloaded, and it never uses an',
    'OpenSSL older than 3 (with the 1.1.1k that mediasoup 3.8.4 bundled, any room participant',
    'can freeze a worker: CVE-2022-0778).',
  ].join('\n');
}
