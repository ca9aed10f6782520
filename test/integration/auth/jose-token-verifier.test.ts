import type { webcrypto } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import {
  JoseTokenVerifier,
  jwksFileKeys,
  jwksUrlKeys,
  secretKey,
} from '../../../src/infrastructure/auth/jose-token-verifier.js';
import { TEST_JWT_SECRET, testToken } from '../../support/auth.js';

const RULES = { issuer: 'school-billing', audience: 'school-billing' };
const SCHOOL = '0198a8e2-7c1b-7000-8000-000000000001';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function rejection(verifier: JoseTokenVerifier, token: string) {
  try {
    await verifier.verify(token);
  } catch (error) {
    const { reason, message } = error as { reason?: string; message: string };
    for (const part of token.split('.').filter((segment) => segment.length >= 8)) expect(message, 'never echoes the token').to.not.include(part);
    return { reason, message };
  }
  return { reason: 'accepted', message: '' };
}

describe('JWT verification (jose)', () => {
  const verifier = new JoseTokenVerifier(secretKey(TEST_JWT_SECRET), RULES);
  let now: number;
  beforeEach(() => {
    now = Math.floor(Date.now() / 1000);
  });

  it('accepts a good HS256 token and returns its actor', async () => {
    expect(await verifier.verify(await testToken({ role: 'school', schoolIds: [SCHOOL], subject: 'portal' }))).to.deep.equal({
      role: 'school',
      subject: 'portal',
      schoolIds: new Set([SCHOOL]),
    });
  });

  it('tolerates 30 s of clock skew on exp, no more', async () => {
    const fresh = await testToken({ now: new Date((now - 3600 - 10) * 1000), expiresInSeconds: 3600 });
    const stale = await testToken({ now: new Date((now - 3600 - 60) * 1000), expiresInSeconds: 3600 });
    expect((await verifier.verify(fresh)).role).to.equal('admin');
    expect(await rejection(verifier, stale)).to.deep.equal({ reason: 'AUTH_TOKEN_EXPIRED', message: 'the token has expired' });
  });

  it('refuses every kind of bad token as AUTH_TOKEN_INVALID, with a reason that names no secret', async () => {
    const cases: [string, Promise<string> | string, RegExp][] = [
      ['wrong signature', testToken({ secret: 'another-secret-of-at-least-32-characters!!' }), /signature/],
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', role: 'admin', iss: RULES.issuer, aud: RULES.audience, exp: now + 600 })}.`, /algorithm/],
      ['wrong audience', testToken({ audience: 'someone-else' }), /"aud" claim/],
      ['wrong issuer', testToken({ issuer: 'evil' }), /"iss" claim/],
      ['no exp', new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(RULES.issuer).setAudience(RULES.audience).sign(new TextEncoder().encode(TEST_JWT_SECRET)), /"exp" claim is missing/],
      ['no sub', new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(RULES.issuer).setAudience(RULES.audience).setExpirationTime('1h').sign(new TextEncoder().encode(TEST_JWT_SECRET)), /"sub" claim is missing/],
      ['not yet valid', new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(RULES.issuer).setAudience(RULES.audience).setNotBefore(now + 600).setExpirationTime('1h').sign(new TextEncoder().encode(TEST_JWT_SECRET)), /"nbf" claim/],
      ['HS512 with the right secret', new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS512' }).setSubject('x').setIssuer(RULES.issuer).setAudience(RULES.audience).setExpirationTime('1h').sign(new TextEncoder().encode(TEST_JWT_SECRET)), /algorithm/],
      ['bad role claim', new SignJWT({ role: 'root' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(RULES.issuer).setAudience(RULES.audience).setExpirationTime('1h').sign(new TextEncoder().encode(TEST_JWT_SECRET)), /"role"/],
      ['garbage', 'not.a.jwt', /malformed/],
      ['empty segments', '..', /malformed/],
    ];
    for (const [name, token, message] of cases) {
      const outcome = await rejection(verifier, await token);
      expect(outcome.reason, name).to.equal('AUTH_TOKEN_INVALID');
      expect(outcome.message, name).to.match(message);
    }
  });

  describe('with a JWKS (RS256 and ES256 pinned)', () => {
    let dir: string;
    let server: Server;
    let jwks: { keys: object[] };
    const keys: Record<string, webcrypto.CryptoKey> = {};

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'billing-jwks-'));
      const rsa = await generateKeyPair('RS256', { extractable: true });
      const ec = await generateKeyPair('ES256', { extractable: true });
      keys.rsa = rsa.privateKey;
      keys.ec = ec.privateKey;
      jwks = {
        keys: [
          { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
          { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
        ],
      };
      writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwks));
      server = createServer((request, response) => {
        if (request.url === '/down') {
          response.writeHead(503).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    });
    after(() => {
      server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const sign = (alg: string, kid: string, key: webcrypto.CryptoKey | Uint8Array) =>
      new SignJWT({ role: 'school', school_ids: [SCHOOL] })
        .setProtectedHeader({ alg, kid })
        .setSubject('idp-client')
        .setIssuer(RULES.issuer)
        .setAudience(RULES.audience)
        .setExpirationTime('5m')
        .sign(key);

    it('accepts RS256 and ES256 tokens from a JWKS file, and refuses HS256 (no algorithm confusion) and unknown keys', async () => {
      const fromFile = new JoseTokenVerifier(await jwksFileKeys(join(dir, 'jwks.json')), RULES);
      expect((await fromFile.verify(await sign('RS256', 'rsa-1', keys.rsa!))).subject).to.equal('idp-client');
      expect((await fromFile.verify(await sign('ES256', 'ec-1', keys.ec!))).subject).to.equal('idp-client');
      expect(await rejection(fromFile, await sign('HS256', 'rsa-1', new TextEncoder().encode(TEST_JWT_SECRET)))).to.include({ reason: 'AUTH_TOKEN_INVALID' });
      expect(await rejection(fromFile, await sign('RS256', 'nope', keys.rsa!))).to.deep.equal({
        reason: 'AUTH_TOKEN_INVALID',
        message: 'the token is not valid: no single key of the key set matches it',
      });
    });

    it('fetches a JWKS from a URL; an unreachable or failing key server is AUTH_KEYS_UNAVAILABLE, not the caller\'s fault', async () => {
      const { port } = server.address() as { port: number };
      const fromUrl = new JoseTokenVerifier(jwksUrlKeys(`http://127.0.0.1:${port}/jwks.json`), RULES);
      expect((await fromUrl.verify(await sign('ES256', 'ec-1', keys.ec!))).role).to.equal('school');
      for (const url of [`http://127.0.0.1:${port}/down`, 'http://127.0.0.1:1/jwks.json']) {
        const broken = new JoseTokenVerifier(jwksUrlKeys(url), RULES);
        expect(await rejection(broken, await sign('ES256', 'ec-1', keys.ec!)), url).to.include({ reason: 'AUTH_KEYS_UNAVAILABLE' });
      }
    });

    it('refuses a file that is not a key set at start', async () => {
      writeFileSync(join(dir, 'bad.json'), '{"keys": 3}');
      let failure: unknown;
      await jwksFileKeys(join(dir, 'bad.json')).catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(Error);
    });
  });
});
