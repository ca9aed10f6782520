import { Code, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { expect } from 'chai';
import { Authenticate } from '../../src/application/access/authenticate.js';
import { Authorize } from '../../src/application/access/authorize.js';
import { buildUseCases } from '../../src/composition/application-module.js';
import { JoseTokenVerifier, secretKey } from '../../src/infrastructure/auth/jose-token-verifier.js';
import { StatementService } from '../../src/gen/billing/v1/statement_pb.js';
import { type RunningGrpcServer, callInterceptors, startGrpcServer } from '../../src/interface/grpc/server.js';
import { fakeBilling } from '../fakes/fake-billing.js';
import { InMemoryOwnership } from '../fakes/in-memory-ownership.js';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET, bearer, testToken } from '../support/auth.js';
import { expectError } from '../support/grpc-harness.js';

/**
 * SPEC §7 lets a school caller cost one primary-key lookup; a student
 * statement for one costs exactly that: the authorization's lookup of the
 * student's school is the statement's version read (call-versions.ts).
 * Real transport and interceptor chain, in-memory ports that count reads.
 */
describe('student statements for school callers (real interceptors over fakes)', () => {
  let fakes: ReturnType<typeof fakeBilling>;
  let ownership: InMemoryOwnership;
  let server: RunningGrpcServer;

  beforeEach(async () => {
    fakes = fakeBilling();
    ownership = new InMemoryOwnership(fakes.state);
    const verifier = new JoseTokenVerifier(secretKey(TEST_JWT_SECRET), { issuer: TEST_ISSUER, audience: TEST_AUDIENCE });
    server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      useCases: buildUseCases(fakes.dependencies),
      interceptors: callInterceptors({ authenticate: new Authenticate(verifier), authorize: new Authorize(ownership, fakes.versions), rateLimiter: null }, {}),
    });
  });
  afterEach(() => server.shutdown(1000));

  const statementsAs = (token: string) =>
    createClient(StatementService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.port}`, interceptors: [bearer(token)] }));

  async function world() {
    const useCases = buildUseCases(fakes.dependencies);
    const own = await useCases.createSchool.execute({ name: 'Own', currencyCode: 'USD', timezone: 'UTC' });
    const other = await useCases.createSchool.execute({ name: 'Other', currencyCode: 'USD', timezone: 'UTC' });
    const student = (schoolId: typeof own.id) =>
      useCases.createStudent.execute({ schoolId, firstName: 'A', lastName: 'B', email: '', externalRef: '', status: 'ACTIVE' });
    return { useCases, own, ownStudent: await student(own.id), otherStudent: await student(other.id) };
  }

  it('cost one version read per call, miss or hit, and no other lookup', async () => {
    const w = await world();
    const statements = statementsAs(await testToken({ role: 'school', schoolIds: [w.own.id] }));
    const statuses: string[] = [];
    for (let call = 0; call < 3; call += 1) {
      const before = fakes.versionSource.reads;
      await statements.getStudentStatement({ studentId: w.ownStudent.id }, { onHeader: (headers) => statuses.push(headers.get('x-cache-status')!) });
      expect(fakes.versionSource.reads - before, `call ${call}`).to.equal(1);
    }
    expect(statuses).to.deep.equal(['miss', 'hit', 'hit']);
    expect(ownership.lookups).to.equal(0);
  });

  it('still reflect a write made after the version the previous call read', async () => {
    const w = await world();
    const statements = statementsAs(await testToken({ role: 'school', schoolIds: [w.own.id] }));
    await statements.getStudentStatement({ studentId: w.ownStudent.id });
    await w.useCases.createInvoice.execute({
      studentId: w.ownStudent.id,
      description: 'Trip',
      amountMinor: 700n,
      issueDate: null,
      dueDate: '2026-04-30' as never,
      idempotencyKey: null,
      visibleSchools: null,
    });
    const statuses: string[] = [];
    const { statement } = await statements.getStudentStatement({ studentId: w.ownStudent.id }, { onHeader: (headers) => statuses.push(headers.get('x-cache-status')!) });
    expect(statuses).to.deep.equal(['miss']);
    expect(statement!.invoices.map((line) => line.description)).to.deep.equal(['Trip']);
  });

  it('refuse another school\'s student after the one lookup, with nothing read from the cache', async () => {
    const w = await world();
    const statements = statementsAs(await testToken({ role: 'school', schoolIds: [w.own.id] }));
    const before = { versionReads: fakes.versionSource.reads, cacheCalls: fakes.cacheStore.calls.length };
    await expectError(statements.getStudentStatement({ studentId: w.otherStudent.id }), { code: Code.PermissionDenied, reason: 'ACCESS_DENIED' });
    expect(fakes.versionSource.reads - before.versionReads).to.equal(1);
    expect(fakes.cacheStore.calls.slice(before.cacheCalls)).to.deep.equal([]);
  });
});
