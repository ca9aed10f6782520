import { Code, ConnectError } from '@connectrpc/connect';
import { expect } from 'chai';
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from '../../src/gen/grpc/health/v1/health_pb.js';
import { PaymentMethod } from '../../src/gen/billing/v1/payment_pb.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { type Sample, parseExposition, samplesOf, valueOf } from '../support/prometheus-text.js';
import { startRedisServer } from '../support/redis-server.js';
import { type ServiceHarness, startServiceHarness } from '../support/service-harness.js';
import { freePort } from '../support/spawned-service.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

function capturingLogger(level = 'info') {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const logger = createLogger(level, {
    write(line: string) {
      raw.push(line);
      lines.push(JSON.parse(line) as LogLine);
    },
  });
  return { logger, lines, raw };
}

async function scrape(port: number): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).to.equal(200);
  expect(response.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

const until = async (what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe('observability (the whole service on PostgreSQL)', function () {
  this.timeout(60_000);

  describe('metrics on METRICS_PORT and the request log', () => {
    let h: ServiceHarness;
    let metricsPort: number;
    const log = capturingLogger();

    before(async () => {
      metricsPort = await freePort();
      h = await startServiceHarness({ env: { METRICS_PORT: String(metricsPort), LOG_LEVEL: 'info' }, logger: log.logger });
    });
    after(async () => {
      await h?.close();
    });

    it('serves the gRPC server, statement cache, pool, readiness and process metrics, and counts move with calls', async () => {
      const before = await scrape(metricsPort);
      const school = (await h.schools.createSchool({ name: 'North High', currencyCode: 'USD', timezone: 'UTC' })).school!;
      const student = (await h.students.createStudent({ schoolId: school.id, firstName: 'Ada', lastName: 'Lovelace' })).student!;
      await h.invoices.createInvoice({ studentId: student.id, description: 'Tuition', amountMinor: 1000n, dueDate: '2030-01-31' });
      await h.payments.createPayment({ studentId: student.id, amountMinor: 400n, method: PaymentMethod.CASH });
      await h.statements.getStudentStatement({ studentId: student.id });
      await h.statements.getStudentStatement({ studentId: student.id });
      const missing = await h.schools.getSchool({ id: '0b6a5f0e-1c1d-4e8e-9a53-6f0f3f5d1a22' }).catch((error: unknown) => error);
      expect(ConnectError.from(missing).code).to.equal(Code.NotFound);

      const after = await scrape(metricsPort);

      const create = { grpc_service: 'billing.v1.SchoolService', grpc_method: 'CreateSchool', grpc_type: 'unary' };
      const getSchool = { grpc_service: 'billing.v1.SchoolService', grpc_method: 'GetSchool', grpc_type: 'unary' };
      const statement = { grpc_service: 'billing.v1.StatementService', grpc_method: 'GetStudentStatement', grpc_type: 'unary' };
      const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
      expect({
        started: delta('grpc_server_started_total', create),
        handledOk: delta('grpc_server_handled_total', { ...create, grpc_code: 'OK' }),
        notFound: delta('grpc_server_handled_total', { ...getSchool, grpc_code: 'NotFound' }),
        statements: delta('grpc_server_handled_total', { ...statement, grpc_code: 'OK' }),
        histogramCount: delta('grpc_server_handling_seconds_count', statement),
        infBucket: delta('grpc_server_handling_seconds_bucket', { ...statement, le: '+Inf' }),
        hits: delta('billing_statement_cache_events_total', { kind: 'student', event: 'hit' }),
        misses: delta('billing_statement_cache_events_total', { kind: 'student', event: 'miss' }),
        computeCount: delta('billing_statement_cache_compute_seconds_count', { kind: 'student' }),
        entryCount: delta('billing_statement_cache_entry_bytes_count', { kind: 'student' }),
      }).to.deep.equal({
        started: 1,
        handledOk: 1,
        notFound: 1,
        statements: 2,
        histogramCount: 2,
        infBucket: 2,
        hits: 1,
        misses: 1,
        computeCount: 1,
        entryCount: 1,
      });
      expect(valueOf(after, 'grpc_server_handling_seconds_sum', statement)).to.be.greaterThan(0);
      expect(valueOf(after, 'billing_statement_cache_entry_bytes_sum', { kind: 'student' })).to.be.greaterThan(100);
      // Every cache series exists from the start.
      expect(samplesOf(before, 'billing_statement_cache_events_total')).to.have.length(22);
      expect(valueOf(after, 'billing_db_pool_max')).to.equal(20);
      expect(valueOf(after, 'billing_db_pool_connections')).to.be.at.least(1);
      for (const gauge of ['billing_db_pool_idle', 'billing_db_pool_in_use', 'billing_db_pool_waiting']) {
        expect(samplesOf(after, gauge), gauge).to.have.length(1);
      }
      expect(valueOf(after, 'billing_ready')).to.equal(1);
      for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
        expect(samplesOf(after, name), name).to.not.have.length(0);
      }
      // In-process cache: no breaker.
      expect(samplesOf(after, 'billing_redis_breaker_state')).to.have.length(0);
    });

    it('answers 404 off /metrics', async () => {
      expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).to.equal(404);
    });

    it('logs one JSON line per call with request id, method, code and duration, and echoes the request id', async () => {
      let echoed: string | null = null;
      let generated: string | null = null;
      const secret = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.signature-that-must-not-leak';
      await h.schools.listSchools(
        { pageSize: 1 },
        { headers: { 'x-request-id': 'req-42', authorization: `Bearer ${secret}` }, onHeader: (headers) => (echoed = headers.get('x-request-id')) },
      );
      const refused = await h.schools.getSchool({ id: 'not-a-uuid' }).catch((error: unknown) => ConnectError.from(error));
      // A failed call's headers come with the error.
      generated = (refused as ConnectError).metadata.get('x-request-id');

      expect(echoed).to.equal('req-42');
      expect(generated).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const rpc = log.lines.filter((line) => line.msg === 'rpc');
      const listed = rpc.find((line) => line.requestId === 'req-42');
      expect(listed).to.deep.include({
        service: 'billing.v1.SchoolService',
        method: 'ListSchools',
        code: 'OK',
        protocol: 'grpc',
        level: 30,
      });
      expect(listed!.durationMs).to.be.a('number').and.at.least(0);
      expect(rpc.find((line) => line.requestId === generated)).to.deep.include({ method: 'GetSchool', code: 'InvalidArgument' });
      expect(log.raw.join('')).to.not.include(secret);
    });
  });

  describe('logger', () => {
    it('redacts credentials wherever they appear', () => {
      const log = capturingLogger();
      log.logger.info({ authorization: 'Bearer abc', request: { headers: { authorization: 'Bearer def' } }, password: 'hunter2' }, 'x');
      expect(log.raw.join('')).to.not.match(/abc|def|hunter2/);
      expect(log.lines[0]).to.deep.include({ authorization: '[redacted]', password: '[redacted]' });
    });
  });

  describe('Redis breaker metrics', () => {
    // The in-process tier is off: every read goes to Redis, so the breaker sees them.
    it('show the breaker state and its transitions when Redis goes away', async () => {
      const redis = await startRedisServer();
      const metricsPort = await freePort();
      const h = await startServiceHarness({ env: { METRICS_PORT: String(metricsPort), REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '50', CACHE_LOCAL_ENTRIES: '0' } });
      try {
        const school = (await h.schools.createSchool({ name: 'North High', currencyCode: 'USD', timezone: 'UTC' })).school!;
        const student = (await h.students.createStudent({ schoolId: school.id, firstName: 'Ada', lastName: 'Lovelace' })).student!;
        await h.statements.getStudentStatement({ studentId: student.id });
        const closed = await scrape(metricsPort);
        expect(valueOf(closed, 'billing_redis_breaker_state', { state: 'closed' })).to.equal(1);
        expect(valueOf(closed, 'billing_redis_breaker_state', { state: 'open' })).to.equal(0);

        await redis.stop();
        for (let i = 0; i < 8; i += 1) await h.statements.getStudentStatement({ studentId: student.id });

        const open = await scrape(metricsPort);
        expect(valueOf(open, 'billing_redis_breaker_state', { state: 'open' })).to.equal(1);
        expect(valueOf(open, 'billing_redis_breaker_transitions_total', { state: 'open' })).to.be.at.least(1);
        expect(valueOf(open, 'billing_statement_cache_events_total', { kind: 'student', event: 'bypass' })).to.be.at.least(8);
      } finally {
        await h.close();
        await redis.stop();
      }
    });
  });

  describe('readiness', () => {
    it('is NOT_SERVING while PostgreSQL does not answer, and SERVING again when it does', async () => {
      const { createTestDatabase } = await import('../support/test-database.js');
      const database = await createTestDatabase();
      const url = new URL(database.url);
      const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      const { startService } = await import('../../src/composition/service.js');
      const { loadConfig } = await import('../../src/config.js');
      const log = capturingLogger('warn');
      const service = await startService(
        loadConfig({
          DATABASE_URL: url.toString(),
          GRPC_HOST: '127.0.0.1',
          GRPC_PORT: '0',
          METRICS_PORT: '0',
          MIGRATE_ON_START: 'false',
          HEALTH_PROBE_INTERVAL_MS: '100',
          SHUTDOWN_GRACE_MS: '1000',
        }),
        log.logger,
      );
      const health = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${service.grpcPort}` }));
      const status = async () => (await health.check({ service: '' })).status;
      try {
        expect(await status()).to.equal(ServingStatus.SERVING);

        proxy.cut();
        await until('NOT_SERVING', async () => (await status()) === ServingStatus.NOT_SERVING);
        expect((await health.check({ service: 'billing.v1.SchoolService' })).status).to.equal(ServingStatus.NOT_SERVING);
        expect(log.lines.some((line) => line.msg === 'PostgreSQL does not answer: NOT_SERVING')).to.equal(true);

        proxy.restore();
        await until('SERVING', async () => (await status()) === ServingStatus.SERVING);
      } finally {
        await service.stop();
        await proxy.close();
        await database.drop();
      }
      // Shut down: stays NOT_SERVING whatever a late probe finds.
      expect(service.health.get('')).to.equal(ServingStatus.NOT_SERVING);
    });
  });
});
