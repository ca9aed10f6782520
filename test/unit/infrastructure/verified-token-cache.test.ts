import { expect } from 'chai';
import type { TokenVerifier } from '../../../src/application/ports/token-verifier.js';
import { type Actor, UNAUTHENTICATED_ADMIN } from '../../../src/domain/access.js';
import { DomainError } from '../../../src/domain/errors.js';
import { VerifiedTokenCache } from '../../../src/infrastructure/auth/verified-token-cache.js';

/** An unsigned JWT with just an `exp` (the inner verifier is a fake; the cache only reads `exp`). */
const tokenExpiring = (expSeconds: number, salt = '') =>
  `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ exp: expSeconds, salt })).toString('base64url')}.sig`;

describe('verified token cache', () => {
  function setup(options: { maxAgeMs?: number; maxTokens?: number } = {}) {
    let now = 1_000_000_000_000;
    const checked: string[] = [];
    let refuse = false;
    const inner: TokenVerifier = {
      async verify(token) {
        checked.push(token);
        if (refuse) throw new DomainError('AUTH_TOKEN_INVALID', 'no');
        return UNAUTHENTICATED_ADMIN as Actor;
      },
    };
    const cache = new VerifiedTokenCache(inner, { ...options, now: () => now });
    return { cache, checked, advance: (ms: number) => (now += ms), nowSeconds: () => Math.floor(now / 1000), refuse: () => (refuse = true) };
  }

  it('checks a token once, then trusts it for at most maxAgeMs', async () => {
    const t = setup({ maxAgeMs: 60_000 });
    const token = tokenExpiring(t.nowSeconds() + 3600);

    await t.cache.verify(token);
    await t.cache.verify(token);
    t.advance(60_001);
    await t.cache.verify(token);

    expect(t.checked).to.have.length(2);
  });

  it('never trusts a token past its exp', async () => {
    const t = setup({ maxAgeMs: 60_000 });
    const token = tokenExpiring(t.nowSeconds() + 5);

    await t.cache.verify(token);
    t.advance(5_000);
    await t.cache.verify(token);

    expect(t.checked).to.have.length(2);
  });

  it('remembers no failure', async () => {
    const t = setup();
    t.refuse();
    const token = tokenExpiring(t.nowSeconds() + 3600);

    for (let i = 0; i < 2; i += 1) await t.cache.verify(token).catch(() => undefined);

    expect(t.checked).to.have.length(2);
  });

  it('holds at most maxTokens, dropping the oldest', async () => {
    const t = setup({ maxTokens: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((salt) => tokenExpiring(t.nowSeconds() + 3600, salt));

    for (const token of [a!, b!, c!, a!]) await t.cache.verify(token);

    expect(t.checked).to.deep.equal([a, b, c, a]);
  });
});
