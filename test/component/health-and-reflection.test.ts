import { execFile, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Code } from '@connectrpc/connect';
import { expect } from 'chai';
import { HealthCheckResponse_ServingStatus as ServingStatus } from '../../src/gen/grpc/health/v1/health_pb.js';
import { isServing } from '../../src/interface/grpc/healthcheck.js';
import { type GrpcHarness, describeEachBackend, expectError } from '../support/grpc-harness.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUF = `${ROOT}node_modules/.bin/buf`;

const SERVICES = [
  'billing.v1.CacheAdminService',
  'billing.v1.InvoiceService',
  'billing.v1.PaymentService',
  'billing.v1.SchoolService',
  'billing.v1.StatementService',
  'billing.v1.StudentService',
  'grpc.health.v1.Health',
];

/** Pulls the next message of a stream, failing after a while instead of hanging. */
async function next<T>(stream: AsyncIterator<T>, ms = 2000): Promise<IteratorResult<T>> {
  return Promise.race([stream.next(), sleep(ms).then(() => Promise.reject(new Error(`no message within ${ms} ms`)))]);
}

describeEachBackend('gRPC health and reflection', (backend) => {
  let h: GrpcHarness;
  backend.useHarness((started) => (h = started));

  describe('gRPC health', () => {
    it('checks the whole server and every service by name', async () => {
      for (const service of ['', ...SERVICES]) {
        expect((await h.health.check({ service })).status, service).to.equal(ServingStatus.SERVING);
      }
      h.healthStatus.set('billing.v1.PaymentService', ServingStatus.NOT_SERVING);
      expect((await h.health.check({ service: 'billing.v1.PaymentService' })).status).to.equal(ServingStatus.NOT_SERVING);
      expect((await h.health.check({ service: '' })).status).to.equal(ServingStatus.SERVING);
    });

    it('answers NOT_FOUND for an unknown service', async () => {
      await expectError(h.health.check({ service: 'billing.v1.Nope' }), { code: Code.NotFound, reason: 'SERVICE_UNKNOWN', field: 'service' });
    });

    it('lists every status', async () => {
      h.healthStatus.set('billing.v1.SchoolService', ServingStatus.NOT_SERVING);
      const { statuses } = await h.health.list({});
      expect(Object.keys(statuses).sort()).to.deep.equal(['', ...SERVICES]);
      expect(statuses['billing.v1.SchoolService']!.status).to.equal(ServingStatus.NOT_SERVING);
      expect(statuses['']!.status).to.equal(ServingStatus.SERVING);
    });

    it('streams the status with Watch: now, at every change, and NOT_SERVING at shutdown, then ends', async () => {
      const stream = h.health.watch({ service: '' })[Symbol.asyncIterator]();
      expect((await next(stream)).value?.status).to.equal(ServingStatus.SERVING);
      h.healthStatus.set('', ServingStatus.NOT_SERVING);
      expect((await next(stream)).value?.status).to.equal(ServingStatus.NOT_SERVING);
      h.healthStatus.set('', ServingStatus.SERVING);
      expect((await next(stream)).value?.status).to.equal(ServingStatus.SERVING);

      const started = Date.now();
      const down = h.shutdown(); // grace period 5 s
      expect((await next(stream)).value?.status).to.equal(ServingStatus.NOT_SERVING);
      expect((await next(stream)).done).to.equal(true);
      await down;
      // The open Watch did not hold the server until the forced shutdown.
      expect(Date.now() - started).to.be.below(4000);
    });

    it('watches an unknown service as SERVICE_UNKNOWN until it is known', async () => {
      const caller = new AbortController();
      const stream = h.health.watch({ service: 'billing.v1.Later' }, { signal: caller.signal })[Symbol.asyncIterator]();
      expect((await next(stream)).value?.status).to.equal(ServingStatus.SERVICE_UNKNOWN);
      h.healthStatus.set('billing.v1.Later', ServingStatus.SERVING);
      expect((await next(stream)).value?.status).to.equal(ServingStatus.SERVING);
      // Cancel the call: return() alone leaves it open on the server until the shutdown grace ends.
      caller.abort();
    });

    it('reports serving to the health-check CLI helper, and not serving once shut down', async () => {
      expect(await isServing({ port: h.port })).to.equal(true);
      h.healthStatus.set('', ServingStatus.NOT_SERVING);
      expect(await isServing({ port: h.port })).to.equal(false);
      h.healthStatus.set('', ServingStatus.SERVING);
      await h.shutdown();
      expect(await isServing({ port: h.port, timeoutMs: 1000 })).to.equal(false);
    });

    it('the health-check CLI exits 0 when SERVING and 1 otherwise', async () => {
      const cli = (port: number) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', 'src/interface/grpc/healthcheck.ts'], {
            cwd: ROOT,
            env: { ...process.env, GRPC_PORT: String(port) },
            stdio: 'ignore',
          });
          child.on('exit', (code) => resolve(code));
        });
      expect(await cli(h.port)).to.equal(0);
      h.healthStatus.set('', ServingStatus.NOT_SERVING);
      expect(await cli(h.port)).to.equal(1);
    });
  });

  describe('gRPC server reflection (buf curl, no proto files)', () => {
    const curl = (...args: string[]) => run(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args], { cwd: ROOT, timeout: 20_000 });
    // Reflection needs no token; billing calls carry the harness's admin token.
    const call = (...args: string[]) => curl('-H', `Authorization: Bearer ${h.token}`, ...args);

    for (const protocol of ['grpc-v1', 'grpc-v1alpha']) {
      it(`lists every method of every service (${protocol})`, async () => {
        const { stdout } = await curl('--reflect-protocol', protocol, '--list-methods', h.baseUrl);
        const methods = stdout.trim().split('\n').sort();
        expect(methods).to.deep.equal(
          [
            'billing.v1.CacheAdminService/GetCacheStats',
            'billing.v1.CacheAdminService/InvalidateStatements',
            'billing.v1.CacheAdminService/WarmStatements',
            'billing.v1.InvoiceService/CreateInvoice',
            'billing.v1.InvoiceService/DeleteInvoice',
            'billing.v1.InvoiceService/GetInvoice',
            'billing.v1.InvoiceService/ListInvoices',
            'billing.v1.InvoiceService/UpdateInvoice',
            'billing.v1.PaymentService/CreatePayment',
            'billing.v1.PaymentService/DeletePayment',
            'billing.v1.PaymentService/GetPayment',
            'billing.v1.PaymentService/ListPayments',
            'billing.v1.SchoolService/CreateSchool',
            'billing.v1.SchoolService/DeleteSchool',
            'billing.v1.SchoolService/GetSchool',
            'billing.v1.SchoolService/ListSchools',
            'billing.v1.SchoolService/UpdateSchool',
            'billing.v1.StatementService/GetSchoolStatement',
            'billing.v1.StatementService/GetStudentStatement',
            'billing.v1.StudentService/CreateStudent',
            'billing.v1.StudentService/DeleteStudent',
            'billing.v1.StudentService/GetStudent',
            'billing.v1.StudentService/ListStudents',
            'billing.v1.StudentService/UpdateStudent',
            'grpc.health.v1.Health/Check',
            'grpc.health.v1.Health/List',
            'grpc.health.v1.Health/Watch',
          ].sort(),
        );
      });
    }

    it('calls CreateSchool with JSON through the reflected schema', async () => {
      const { stdout } = await call('-d', '{"name":"x","currencyCode":"USD","timezone":"UTC"}', `${h.baseUrl}/billing.v1.SchoolService/CreateSchool`);
      const { school } = JSON.parse(stdout) as { school: { id: string; name: string; currencyCode: string; createdAt: string } };
      expect(school).to.include({ name: 'x', currencyCode: 'USD', createdAt: '2026-03-10T12:00:00Z' });
      expect((await h.schools.listSchools({})).schools.map((s) => s.id)).to.deep.equal([school.id]);
    });

    it('calls GetSchoolStatement, whose types come from statement.proto and the files it imports', async () => {
      const { school } = await h.schools.createSchool({ name: 'North High', currencyCode: 'EUR', timezone: 'UTC' });
      const { stdout } = await call('-d', JSON.stringify({ schoolId: school!.id }), `${h.baseUrl}/billing.v1.StatementService/GetSchoolStatement`);
      const { statement } = JSON.parse(stdout) as { statement: { school: { id: string }; currencyCode: string; asOfDate: string; totals: { aging: object } } };
      expect(statement.school.id).to.equal(school!.id);
      expect(statement).to.include({ currencyCode: 'EUR', asOfDate: '2026-03-10' });
      expect(statement.totals).to.have.property('aging');
    });

    it('shows errors with their code and message', async () => {
      const failure = await call('-d', '{"id":"nope"}', `${h.baseUrl}/billing.v1.SchoolService/GetSchool`).then(
        () => null,
        (error: { stdout: string; stderr: string }) => `${error.stdout}${error.stderr}`,
      );
      expect(failure).to.contain('invalid_argument').and.to.contain('id must be a UUID');
    });
  });
});
