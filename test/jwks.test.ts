import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, type Authenticator } from '../gateway/auth.ts';

/** Production verification: RS256 tokens checked against keys fetched from an identity provider's JWKS. */
let server: http.Server;
let authenticator: Authenticator;
type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let privateKey: SigningKey;
let otherKey: SigningKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  authenticator = createAuthenticator(
    {
      secret: undefined,
      jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
      issuer: 'https://idp.example',
      audience: 'supply-network',
    },
    async () => undefined,
  );
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const token = (key: SigningKey, claims: { iss?: string; aud?: string } = {}) =>
  new SignJWT({ roles: ['buyer'] })
    .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
    .setSubject('maria')
    .setIssuer(claims.iss ?? 'https://idp.example')
    .setAudience(claims.aud ?? 'supply-network')
    .setExpirationTime('5m')
    .sign(key);

describe('JWKS verification', () => {
  it('accepts a token signed by a key the identity provider publishes', async () => {
    const principal = await authenticator.authenticate({
      authorization: `Bearer ${await token(privateKey)}`,
    });
    expect(principal).toEqual({ subject: 'maria', partnerId: undefined, roles: ['buyer'] });
  });

  it.each([
    ['signed with an unpublished key', () => token(otherKey)],
    ['from another issuer', () => token(privateKey, { iss: 'https://elsewhere.example' })],
    ['for another audience', () => token(privateKey, { aud: 'another-api' })],
  ])('refuses a token %s with UNAUTHENTICATED', async (_label, make) => {
    await expect(
      authenticator.authenticate({ authorization: `Bearer ${await make()}` }),
    ).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });
});
