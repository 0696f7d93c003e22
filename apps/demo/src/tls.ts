// HTTPS for the demo: browsers give camera access only to secure pages
// (HTTPS, or http://localhost), so trying it from another machine on the LAN
// needs a certificate — the operator's (HTTPS_CERT/HTTPS_KEY), or a
// self-signed one made here with Debian's openssl.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { DemoStartError } from './errors.js';

/** A certificate and its private key (PEM). */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  /** Where they came from, for the start message. */
  source: string;
}

/** Reads an operator's certificate and key; a missing or unreadable file is a DemoStartError naming the variable. */
export function readTls(certFile: string, keyFile: string): TlsFiles {
  const read = (file: string, variable: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new DemoStartError(
        'BAD_SETTING',
        `${variable}=${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give the path of a PEM file`,
      );
    }
  };
  return {
    cert: read(certFile, 'HTTPS_CERT'),
    key: read(keyFile, 'HTTPS_KEY'),
    source: certFile,
  };
}

/** The addresses a self-signed certificate is made for: localhost and every IPv4 address of this machine. */
export function localNames(): { dns: string[]; ips: string[] } {
  const ips = ['127.0.0.1'];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) ips.push(a.address);
    }
  }
  return { dns: ['localhost'], ips };
}

/**
 * A self-signed certificate (ECDSA P-256, 30 days) for `names`, kept in `dir`
 * and made again when missing or when it does not cover one of the names.
 * Needs the `openssl` command (Debian package openssl).
 */
export function selfSignedTls(dir: string, names = localNames()): TlsFiles {
  const certFile = join(dir, 'self-signed.crt');
  const keyFile = join(dir, 'self-signed.key');
  const san = [...names.dns.map((d) => `DNS:${d}`), ...names.ips.map((ip) => `IP:${ip}`)];
  if (existsSync(certFile) && existsSync(keyFile) && covers(certFile, names.ips)) {
    return { ...readTls(certFile, keyFile), source: `${certFile} (self-signed)` };
  }
  const probe = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new DemoStartError(
      'BAD_SETTING',
      'HTTPS=self-signed needs the openssl command to make a certificate: install the Debian package openssl, or give HTTPS_CERT and HTTPS_KEY',
    );
  mkdirSync(dir, { recursive: true });
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '30',
      '-subj',
      '/CN=x SFU demo (self-signed)',
      '-addext',
      `subjectAltName=${san.join(',')}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0)
    throw new DemoStartError(
      'BAD_SETTING',
      `openssl could not make a self-signed certificate: ${made.stderr.trim()}`,
    );
  return { ...readTls(certFile, keyFile), source: `${certFile} (self-signed, made now)` };
}

/** Whether a certificate names every one of these IP addresses. */
function covers(certFile: string, ips: string[]): boolean {
  const text = spawnSync('openssl', ['x509', '-in', certFile, '-noout', '-ext', 'subjectAltName'], {
    encoding: 'utf8',
  });
  if (text.status !== 0) return false;
  return ips.every((ip) => text.stdout.includes(`IP Address:${ip}`));
}
