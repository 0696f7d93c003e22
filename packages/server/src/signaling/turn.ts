import { createHmac, randomBytes } from 'node:crypto';

/**
 * A TURN server the clients may relay through (coturn with `use-auth-secret`
 * and `static-auth-secret`): the server mints each peer time-limited
 * credentials with the shared secret (the TURN REST scheme), and sends them
 * in the join (and resume) response.
 */
export interface TurnOptions {
  /**
   * The TURN server's URLs, as clients reach it: `turn:turn.example.com:3478`
   * (UDP), `turn:turn.example.com:3478?transport=tcp`, and `turns:turn.example.com:5349`
   * (TLS, which networks that allow only TLS to the outside let through; port 443
   * passes most of them).
   */
  urls: string[];
  /** The secret shared with the TURN server (coturn's `static-auth-secret`): 16 characters or more. */
  secret: string;
  /** How long minted credentials are valid, in seconds. Default 86400 (a day); at most a week. */
  ttl?: number;
}

/** A TURN server with credentials for one peer (an `RTCIceServer`). */
export interface IceServer {
  /** The TURN server's URLs. */
  urls: string[];
  /** `expiry:id`: the expiry in Unix seconds, then an id of the peer's. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  credential: string;
}

const TURN_URL = /^(turns?|stuns?):[^\s]+$/i;
const MAX_TTL = 7 * 24 * 3600;

/** Checks TURN options and applies their defaults (a TypeError names the problem). */
export function resolveTurnOptions(options: TurnOptions): Required<TurnOptions> {
  if (!options || typeof options !== 'object')
    throw new TypeError('turn must be { urls, secret, ttl? }');
  const { urls, secret, ttl = 86_400 } = options;
  if (
    !Array.isArray(urls) ||
    urls.length === 0 ||
    urls.some((u) => typeof u !== 'string' || !TURN_URL.test(u))
  )
    throw new TypeError(
      'turn.urls must list the TURN server\'s URLs, such as "turn:turn.example.com:3478" or "turns:turn.example.com:5349"',
    );
  if (typeof secret !== 'string' || secret.length < 16)
    throw new TypeError(
      "turn.secret must be the TURN server's static-auth-secret, 16 characters or more",
    );
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_TTL)
    throw new TypeError(
      `turn.ttl must be a number of seconds from 60 to ${MAX_TTL}, got ${String(ttl)}`,
    );
  return { urls: [...urls], secret, ttl };
}

/**
 * TURN REST credentials for one peer: valid until now + ttl. The id in the
 * username is random (what the TURN server logs; it says nothing of the peer).
 */
export function mintTurnCredentials(options: Required<TurnOptions>, now = Date.now()): IceServer {
  const expiry = Math.floor(now / 1000) + options.ttl;
  const username = `${expiry}:${randomBytes(6).toString('hex')}`;
  const credential = createHmac('sha1', options.secret).update(username).digest('base64');
  return { urls: options.urls, username, credential };
}
