import { createContextValues, createHandlerContext } from '@connectrpc/connect';
import { expect } from 'chai';
import { Authenticate } from '../../../src/application/access/authenticate.js';
import { Authorize } from '../../../src/application/access/authorize.js';
import { VersionBatcher } from '../../../src/application/statement/version-batcher.js';
import type { Actor } from '../../../src/domain/access.js';
import { DomainError } from '../../../src/domain/errors.js';
import { SchoolService } from '../../../src/gen/billing/v1/school_pb.js';
import { PEER_ADDRESS, peerAddress } from '../../../src/interface/grpc/call-context.js';
import { intercept } from '../../../src/interface/grpc/interceptors.js';
import { RateLimiter } from '../../../src/interface/grpc/rate-limiter.js';
import { authorize, bearerToken, identify, rateLimit } from '../../../src/interface/grpc/security.js';

describe('transport security (interceptors)', () => {
  describe('the bearer token', () => {
    it('is read from authorization metadata; absence is null, any other form is AUTH_TOKEN_INVALID', () => {
      expect(bearerToken(new Headers())).to.equal(null);
      expect(bearerToken(new Headers({ authorization: 'Bearer abc.def.ghi' }))).to.equal('abc.def.ghi');
      expect(bearerToken(new Headers({ authorization: 'bearer   abc' }))).to.equal('abc');
      for (const value of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'abc.def.ghi']) {
        expect(() => bearerToken(new Headers({ authorization: value })), value).to.throw(DomainError).with.property('reason', 'AUTH_TOKEN_INVALID');
      }
    });
  });

  it('peer addresses drop the port (one bucket per client host)', () => {
    expect(peerAddress('ipv4:127.0.0.1:5123')).to.equal('127.0.0.1');
    expect(peerAddress('10.1.2.3:443')).to.equal('10.1.2.3');
    expect(peerAddress('[::1]:5123')).to.equal('::1');
    expect(peerAddress('ipv6:[fe80::1]:80')).to.equal('fe80::1');
    expect(peerAddress('unix:/tmp/socket')).to.equal('/tmp/socket');
    expect(peerAddress('::1:5123'), 'grpc-js writes IPv6 peers unbracketed').to.equal('::1');
    expect(peerAddress('2001:db8::7:443')).to.equal('2001:db8::7');
    expect(peerAddress('::ffff:10.0.0.9:5123')).to.equal('10.0.0.9');
    expect(peerAddress('::1')).to.equal('::1');
  });

  describe('the rate limiter', () => {
    it('allows a burst, then the rate, per caller', () => {
      let now = 0;
      const limiter = new RateLimiter({ perSecond: 10, burst: 5 }, () => now);
      const taken = () => Array.from({ length: 8 }, () => limiter.take('a')).filter(Boolean).length;
      expect(taken()).to.equal(5);
      expect(limiter.take('b'), 'other callers have their own bucket').to.equal(true);
      now += 300; // 3 tokens back
      expect(taken()).to.equal(3);
      now += 10_000; // never more than the burst
      expect(taken()).to.equal(5);
    });

    it('keeps memory bounded: refilled buckets are dropped when the map is full', () => {
      let now = 0;
      const limiter = new RateLimiter({ perSecond: 10, burst: 2, maxCallers: 100 }, () => now);
      for (let i = 0; i < 100; i += 1) limiter.take(`c${i}`);
      now += 1000;
      limiter.take('late');
      expect(limiter.size).to.equal(1);
      for (let i = 0; i < 150; i += 1) limiter.take(`busy${i}`);
      expect(limiter.size).to.be.at.most(100);
    });
  });

  describe('the interceptors, in order', () => {
    const admin: Actor = { role: 'admin', subject: 'ops' };
    const school: Actor = { role: 'school', subject: 'portal', schoolIds: new Set() };
    const verifier = { verify: async (token: string) => (token === 'admin' ? admin : token === 'school' ? school : Promise.reject(new DomainError('AUTH_TOKEN_INVALID', 'bad'))) };
    const noLookups = { schoolOf: async () => null };
    const noVersions = new VersionBatcher({ students: async () => new Map(), schools: async () => new Map() }, queueMicrotask);
    const handled: string[] = [];
    type Method = (request: unknown, context: unknown) => Promise<unknown>;
    const impl: Record<'createSchool' | 'listSchools', Method> = {
      createSchool: async () => (handled.push('createSchool'), {}),
      listSchools: async () => (handled.push('listSchools'), {}),
    };
    const call = (method: 'createSchool' | 'listSchools', token: string | null, limiter = new RateLimiter({ perSecond: 1, burst: 100 })) => {
      const wrapped = intercept(SchoolService, impl as never, [identify(new Authenticate(verifier)), rateLimit(limiter), authorize(new Authorize(noLookups, noVersions))]) as unknown as typeof impl;
      const context = createHandlerContext({
        service: SchoolService,
        method: SchoolService.method[method],
        protocolName: 'grpc',
        requestMethod: 'POST',
        url: '/x',
        requestHeader: token === null ? {} : { authorization: `Bearer ${token}` },
        contextValues: createContextValues().set(PEER_ADDRESS, '10.0.0.7'),
      });
      return wrapped[method]({ name: 'x' }, context).then(
        () => 'ok',
        (error: unknown) => (error as DomainError).reason,
      );
    };

    it('answer UNAUTHENTICATED, then PERMISSION_DENIED, before the handler runs', async () => {
      handled.length = 0;
      expect(await call('listSchools', null)).to.equal('AUTH_TOKEN_MISSING');
      expect(await call('listSchools', 'forged')).to.equal('AUTH_TOKEN_INVALID');
      expect(await call('createSchool', 'school')).to.equal('ADMIN_REQUIRED');
      expect(handled).to.deep.equal([]);
      expect(await call('createSchool', 'admin')).to.equal('ok');
      expect(await call('listSchools', 'school')).to.equal('ok');
      expect(handled).to.deep.equal(['createSchool', 'listSchools']);
    });

    it('charge failed calls to the peer address and good ones to the token subject', async () => {
      const limiter = new RateLimiter({ perSecond: 0.001, burst: 2 });
      expect([await call('listSchools', 'forged', limiter), await call('listSchools', null, limiter), await call('listSchools', 'forged', limiter)]).to.deep.equal([
        'AUTH_TOKEN_INVALID',
        'AUTH_TOKEN_MISSING',
        'RATE_LIMITED',
      ]);
      expect([await call('listSchools', 'admin', limiter), await call('listSchools', 'admin', limiter), await call('listSchools', 'admin', limiter)]).to.deep.equal([
        'ok',
        'ok',
        'RATE_LIMITED',
      ]);
    });
  });
});
