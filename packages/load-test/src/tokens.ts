import { SignJWT } from 'jose';

/** Gives the access token of a simulated participant. */
export type TokenSource = (room: string, peer: string) => Promise<string>;

/** Tokens signed here with the server's API secret (what `createAccessToken` of @x/server makes). */
export function tokensFromSecret(secret: string): TokenSource {
  const key = new TextEncoder().encode(secret);
  if (key.byteLength < 32)
    throw new TypeError('--secret: the API secret is at least 32 bytes long');
  return (room, peer) =>
    new SignJWT({ room, peer })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(key);
}

/**
 * Tokens from the app's token endpoint: `GET <url>?room=<room>&peer=<peer>`
 * answering `{ "token": "…" }` (the demo's `/api/token`).
 */
export function tokensFromUrl(url: string): TokenSource {
  return async (room, peer) => {
    const target = new URL(url);
    target.searchParams.set('room', room);
    target.searchParams.set('peer', peer);
    const answer = await fetch(target);
    const body = (await answer.json().catch(() => ({}))) as { token?: string; error?: string };
    if (!answer.ok || !body.token)
      throw new Error(
        `token endpoint ${target.origin}${target.pathname}: ${body.error ?? `HTTP ${answer.status}`}`,
      );
    return body.token;
  };
}
