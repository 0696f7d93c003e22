import { errors, jwtVerify, SignJWT } from 'jose';
import type { PeerPermissions } from '../media/Peer.js';
import { SfuError } from '../util/errors.js';

/** Claims of an access token: who may join which room, and do what. */
export interface AccessTokenClaims {
  /** Room id the token is for. */
  room: string;
  /** Peer name the token is for. */
  peer: string;
  /** May send media (default true). */
  canPublish?: boolean;
  /** May receive media (default true). */
  canSubscribe?: boolean;
  /** May create plain RTP transports, where the server allows them (default false). */
  canUsePlainRtp?: boolean;
}

/** Options of {@link createAccessToken}. */
export interface AccessTokenOptions extends AccessTokenClaims {
  /** The shared secret (at least 32 bytes). */
  secret: string | Uint8Array;
  /** Lifetime: seconds, or a jose time span such as '2h'. Default '6h'. */
  expiresIn?: number | string;
}

/** What a verified token grants. */
export interface Authorization {
  /** The verified claims. */
  claims: AccessTokenClaims;
  /** The room the token is for. */
  room: string;
  /** What the peer may do. */
  permissions: PeerPermissions;
}

const ALGORITHM = 'HS256';

/** The secret as bytes; TypeError when it is shorter than 32 bytes (HS256 wants 256 bits). */
export function key(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (bytes.byteLength < 32)
    throw new TypeError('the access token secret must be at least 32 bytes long');
  return bytes;
}

/**
 * Signs an access token (a JWT, HS256) for a peer: the app's backend gives it
 * to the client, which sends it at join.
 */
export async function createAccessToken(options: AccessTokenOptions): Promise<string> {
  const { secret, expiresIn = '6h', ...claims } = options;
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: ALGORITHM })
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === 'number' ? `${expiresIn}s` : expiresIn)
    .sign(key(secret));
}

/**
 * Verifies an access token: UNAUTHENTICATED when it is missing, expired or
 * badly signed; FORBIDDEN when it names another peer than `peerName` (not
 * checked when `peerName` is undefined: a `queryRoom` names no peer).
 */
export async function verifyAccessToken(
  token: string,
  secret: string | Uint8Array,
  peerName: string | undefined,
): Promise<Authorization> {
  if (!token)
    throw new SfuError(
      'UNAUTHENTICATED',
      'this server requires an access token at join: ask the app for one',
    );
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key(secret), { algorithms: [ALGORITHM] }));
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      throw new SfuError('UNAUTHENTICATED', 'the access token has expired: get a new one');
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      throw new SfuError('UNAUTHENTICATED', 'the access token signature is invalid');
    }
    throw new SfuError(
      'UNAUTHENTICATED',
      `the access token is invalid: ${(error as Error).message}`,
    );
  }
  const { room, peer, canPublish, canSubscribe, canUsePlainRtp } = payload;
  if (typeof room !== 'string' || typeof peer !== 'string') {
    throw new SfuError('UNAUTHENTICATED', 'the access token lacks its room or peer claim');
  }
  if (peerName !== undefined && peer !== peerName)
    throw new SfuError('FORBIDDEN', `the access token is for peer "${peer}", not "${peerName}"`);
  const claims: AccessTokenClaims = {
    room,
    peer,
    canPublish: canPublish !== false,
    canSubscribe: canSubscribe !== false,
    canUsePlainRtp: canUsePlainRtp === true,
  };
  return {
    claims,
    room,
    permissions: {
      canPublish: claims.canPublish !== false,
      canSubscribe: claims.canSubscribe !== false,
      canUsePlainRtp: claims.canUsePlainRtp === true,
    },
  };
}

/**
 * Signs an admin token (a JWT, HS256, claim `admin: true`): what the admin
 * API (`/twirp/x.signaling.v1.RoomService/…`) requires. It names no room or
 * peer, so it joins nothing.
 */
export async function createAdminToken(options: {
  /** The server's API secret. */
  secret: string | Uint8Array;
  /** Lifetime: seconds, or a jose time span such as '10m'. Default '1h'. */
  expiresIn?: number | string;
}): Promise<string> {
  const { secret, expiresIn = '1h' } = options;
  return new SignJWT({ admin: true })
    .setProtectedHeader({ alg: ALGORITHM })
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === 'number' ? `${expiresIn}s` : expiresIn)
    .sign(key(secret));
}

/**
 * Checks an admin token: UNAUTHENTICATED when it is missing, expired or
 * badly signed; FORBIDDEN when it is valid but has no admin grant (a peer's
 * access token).
 */
export async function verifyAdminToken(token: string, secret: string | Uint8Array): Promise<void> {
  if (!token)
    throw new SfuError(
      'UNAUTHENTICATED',
      'the admin API needs a token: Authorization: Bearer <token>',
    );
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key(secret), { algorithms: [ALGORITHM] }));
  } catch (error) {
    throw new SfuError(
      'UNAUTHENTICATED',
      error instanceof errors.JWTExpired
        ? 'the admin token has expired'
        : 'the admin token is invalid',
    );
  }
  if (payload.admin !== true)
    throw new SfuError('FORBIDDEN', 'this token has no admin grant (it is a peer access token?)');
}
