import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAccessToken, verifyAccessToken } from '../../src/index.js';

const secret = 'a-secret-of-at-least-thirty-two-bytes!!';

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('access tokens', () => {
  it('a token verifies for its peer, with its room and permissions (all allowed by default)', async () => {
    const token = await createAccessToken({ secret, room: 'r1', peer: 'alice' });
    const auth = await verifyAccessToken(token, secret, 'alice');
    expect(auth.room).toBe('r1');
    expect(auth.permissions).toEqual({
      canPublish: true,
      canSubscribe: true,
      canUsePlainRtp: false,
    });
  });

  it('carries restricted permissions', async () => {
    const token = await createAccessToken({ secret, room: 'r1', peer: 'v', canPublish: false });
    expect((await verifyAccessToken(token, secret, 'v')).permissions).toEqual({
      canPublish: false,
      canSubscribe: true,
      canUsePlainRtp: false,
    });
  });

  it('no token, an expired one, a bad signature or garbage: UNAUTHENTICATED', async () => {
    expect(await refusal(verifyAccessToken('', secret, 'a'))).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/requires an access token/),
    });
    const expired = await createAccessToken({ secret, room: 'r', peer: 'a', expiresIn: -10 });
    expect(await refusal(verifyAccessToken(expired, secret, 'a'))).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/expired/),
    });
    const other = await createAccessToken({ secret: `${secret}-other`, room: 'r', peer: 'a' });
    expect(await refusal(verifyAccessToken(other, secret, 'a'))).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/signature/),
    });
    expect((await refusal(verifyAccessToken('not.a.jwt', secret, 'a'))).code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('a token for another peer: FORBIDDEN', async () => {
    const token = await createAccessToken({ secret, room: 'r', peer: 'alice' });
    expect(await refusal(verifyAccessToken(token, secret, 'mallory'))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/"alice", not "mallory"/),
    });
  });

  it('a token without room or peer claims, or signed with another algorithm: UNAUTHENTICATED', async () => {
    const key = new TextEncoder().encode(secret);
    const bare = await new SignJWT({ peer: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(key);
    expect(await refusal(verifyAccessToken(bare, secret, 'a'))).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/room or peer claim/),
    });
    const hs512 = await new SignJWT({ room: 'r', peer: 'a' })
      .setProtectedHeader({ alg: 'HS512' })
      .sign(key);
    expect((await refusal(verifyAccessToken(hs512, secret, 'a'))).code).toBe('UNAUTHENTICATED');
  });

  it('refuses a secret shorter than 32 bytes', async () => {
    await expect(createAccessToken({ secret: 'short', room: 'r', peer: 'a' })).rejects.toThrow(
      /at least 32 bytes/,
    );
  });
});
