// Checks, before gyp runs, that this machine can build mediasoup-worker:
// python3, make, a C and a C++ compiler, and the OpenSSL 3 development files
// (headers and the libssl.so/libcrypto.so links). A missing piece fails at
// once, naming the Debian/Ubuntu package: there is no fall-back to the
// OpenSSL 1.1.1k that mediasoup 3.8.4 bundles (it is not even shipped).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A command from an environment variable such as CXX="ccache g++": program and its arguments. */
export function command(value, fallback) {
  const words = (value ?? '').trim().split(/\s+/).filter(Boolean);
  return words.length > 0 ? words : [fallback];
}

function runs(argv) {
  const [program, ...args] = argv;
  const result = spawnSync(program, [...args, '--version'], { stdio: 'ignore' });
  return result.status === 0;
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

/**
 * Everything the build needs from the system. Returns the problems found
 * (empty when the build can start) and the Debian packages that fix them.
 */
export function preflight(env = process.env) {
  const problems = [];
  const packages = [];
  const cc = command(env.CC, 'cc');
  const cxx = command(env.CXX, 'g++');
  if (!runs(['python3'])) {
    problems.push('python3 is not installed (gyp, which generates the Makefiles, is Python)');
    packages.push('python3');
  }
  if (!runs(['make'])) {
    problems.push('make is not installed');
    packages.push('make');
  }
  const haveCxx = runs(cxx);
  if (!runs(cc) || !haveCxx) {
    problems.push(`no C/C++ compiler (${cc.join(' ')} / ${cxx.join(' ')})`);
    packages.push('g++');
  }
  if (haveCxx) {
    const openssl = checkOpenSsl(cxx);
    if (openssl) {
      problems.push(openssl);
      packages.push('libssl-dev');
    }
  } else {
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
    'The worker links the system OpenSSL 3; it never builds the OpenSSL 1.1.1k that',
    'mediasoup 3.8.4 bundled, with which any room participant can freeze a worker (CVE-2022-0778).',
  ].join('\n');
}
