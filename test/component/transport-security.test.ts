import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { expect } from 'chai';
import { pino } from 'pino';
import { type RunningService, startService } from '../../src/composition/service.js';
import { loadConfig } from '../../src/config.js';
import { SchoolService } from '../../src/gen/billing/v1/school_pb.js';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { isServing } from '../../src/interface/grpc/healthcheck.js';
import { TEST_AUTH_ENV, adminToken, bearer, testToken } from '../support/auth.js';
import { type TestCertificates, makeCertificates } from '../support/certificates.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

const run = promisify(execFile);

/** The code (and reason) a call ended with. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    const [info] = error.findDetails(ErrorInfoSchema);
    return info ? `${Code[error.code]} ${info.reason}` : Code[error.code];
  }
}

const school = { name: 'Secure High', currencyCode: 'USD', timezone: 'UTC' };

describe('transport security (production wiring on PostgreSQL)', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let certificates: TestCertificates;
  const running: RunningService[] = [];

  before(async () => {
    database = await createTestDatabase();
    certificates = await makeCertificates();
  });
  after(async () => {
    await Promise.all(running.map((service) => service.stop()));
    await database?.drop();
    certificates?.remove();
  });

  async function serve(env: Record<string, string> = {}): Promise<RunningService> {
    const config = loadConfig({
      DATABASE_URL: database.url,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      MIGRATE_ON_START: 'false',
      SHUTDOWN_GRACE_MS: '1000',
      METRICS_PORT: '0',
      ...TEST_AUTH_ENV,
      ...env,
    });
    const service = await startService(config, pino({ level: 'silent' }));
    running.push(service);
    return service;
  }

  const schools = (baseUrl: string, token: string | null, nodeOptions: object = {}) =>
    createClient(SchoolService, createGrpcTransport({ baseUrl, interceptors: [bearer(token)], nodeOptions }));

  describe('TLS', () => {
    it('serves TLS from TLS_CERT_FILE / TLS_KEY_FILE and refuses plaintext clients', async () => {
      const service = await serve({ TLS_CERT_FILE: certificates.serverCertFile, TLS_KEY_FILE: certificates.serverKeyFile });
      const token = await adminToken();
      const ca = certificates.read(certificates.caFile);
      expect(service.transport).to.equal('tls');

      expect(await outcome(schools(`https://127.0.0.1:${service.grpcPort}`, token, { ca }).createSchool(school))).to.equal('OK');
      expect(await outcome(schools(`https://localhost:${service.grpcPort}`, null, { ca }).createSchool(school))).to.equal('Unauthenticated AUTH_TOKEN_MISSING');
      const plaintext = await outcome(schools(`http://127.0.0.1:${service.grpcPort}`, token).createSchool(school, { timeoutMs: 5000 }));
      expect(plaintext).to.not.equal('OK');
      const untrusted = await outcome(schools(`https://127.0.0.1:${service.grpcPort}`, token).createSchool(school, { timeoutMs: 5000 }));
      expect(untrusted, 'a client that does not trust the CA').to.not.equal('OK');
      expect(await isServing({ port: service.grpcPort, tls: {} })).to.equal(true);
      expect(await isServing({ port: service.grpcPort, timeoutMs: 2000 })).to.equal(false);
      // buf curl as the README shows it: reflection over TLS needs no token.
      const { stdout } = await run('npx', ['buf', 'curl', '--protocol', 'grpc', '--cacert', certificates.caFile, '--list-methods', `https://127.0.0.1:${service.grpcPort}`]);
      expect(stdout).to.include('billing.v1.SchoolService/CreateSchool');
      console.log(`      TLS: typed client OK; plaintext client ${plaintext}; client without the CA ${untrusted}`);
    });

    it('requires a client certificate signed by TLS_CA_FILE (mutual TLS), and still a token', async () => {
      const service = await serve({
        TLS_CERT_FILE: certificates.serverCertFile,
        TLS_KEY_FILE: certificates.serverKeyFile,
        TLS_CA_FILE: certificates.caFile,
      });
      const token = await adminToken();
      const baseUrl = `https://127.0.0.1:${service.grpcPort}`;
      const ca = certificates.read(certificates.caFile);
      const client = { cert: certificates.read(certificates.clientCertFile), key: certificates.read(certificates.clientKeyFile) };
      const stranger = { cert: certificates.read(certificates.strangerCertFile), key: certificates.read(certificates.strangerKeyFile) };
      expect(service.transport).to.equal('mtls');

      const withoutCertificate = await outcome(schools(baseUrl, token, { ca }).createSchool(school, { timeoutMs: 5000 }));
      const foreignCertificate = await outcome(schools(baseUrl, token, { ca, ...stranger }).createSchool(school, { timeoutMs: 5000 }));
      expect(withoutCertificate).to.not.equal('OK');
      expect(foreignCertificate).to.not.equal('OK');
      expect(await outcome(schools(baseUrl, token, { ca, ...client }).createSchool(school))).to.equal('OK');
      expect(await outcome(schools(baseUrl, null, { ca, ...client }).createSchool(school))).to.equal('Unauthenticated AUTH_TOKEN_MISSING');
      // The container health check presents the server's own certificate (issued by the same CA).
      const server = { cert: certificates.read(certificates.serverCertFile), key: certificates.read(certificates.serverKeyFile) };
      expect(await isServing({ port: service.grpcPort, tls: server })).to.equal(true);
      expect(await isServing({ port: service.grpcPort, tls: {}, timeoutMs: 2000 })).to.equal(false);
      console.log(`      mutual TLS: no client certificate ${withoutCertificate}; another CA's ${foreignCertificate}; ours OK`);
    });
  });

  describe('limits', () => {
    it('refuses a request over GRPC_MAX_RECEIVE_MESSAGE_BYTES (default 1 MiB) with RESOURCE_EXHAUSTED, before reading it', async () => {
      const service = await serve();
      const client = schools(`http://127.0.0.1:${service.grpcPort}`, await adminToken());
      const big = await outcome(client.createSchool({ ...school, name: 'x'.repeat(1024 * 1024 + 1) }));
      const justUnder = await outcome(client.createSchool({ ...school, name: 'x'.repeat(1024 * 1024 - 64) }));
      expect(big).to.equal('ResourceExhausted');
      expect(justUnder, 'under the limit the request is read, and its name judged').to.equal('InvalidArgument TEXT_TOO_LONG');

      const small = await serve({ GRPC_MAX_RECEIVE_MESSAGE_BYTES: '4096' });
      const smallClient = schools(`http://127.0.0.1:${small.grpcPort}`, await adminToken());
      expect(await outcome(smallClient.createSchool({ ...school, name: 'x'.repeat(5000) }))).to.equal('ResourceExhausted');
      console.log(`      message size: 1 MiB + 1 byte → ${big}; 4,096-byte limit, 5,000-byte name → ResourceExhausted`);
    });

    it('limits each caller to RATE_LIMIT_BURST calls at once and RATE_LIMIT_PER_SECOND after that (RESOURCE_EXHAUSTED RATE_LIMITED)', async () => {
      const service = await serve({ RATE_LIMIT_PER_SECOND: '5', RATE_LIMIT_BURST: '10' });
      const baseUrl = `http://127.0.0.1:${service.grpcPort}`;
      const busy = schools(baseUrl, await testToken({ role: 'admin', subject: 'busy' }));
      const calm = schools(baseUrl, await testToken({ role: 'admin', subject: 'calm' }));
      const anonymous = schools(baseUrl, null);

      const burst = [];
      for (let i = 0; i < 15; i += 1) burst.push(await outcome(busy.listSchools({})));
      const served = burst.filter((answer) => answer === 'OK').length;
      expect(served, burst.join(', ')).to.be.within(10, 11); // a token may refill during the loop
      expect(burst.at(-1)).to.equal('ResourceExhausted RATE_LIMITED');
      expect(await outcome(calm.listSchools({})), 'another subject has its own bucket').to.equal('OK');

      const unauthenticated = [];
      for (let i = 0; i < 13; i += 1) unauthenticated.push(await outcome(anonymous.listSchools({})));
      expect(unauthenticated.slice(0, 10).every((answer) => answer === 'Unauthenticated AUTH_TOKEN_MISSING'), unauthenticated.join(', ')).to.equal(true);
      expect(unauthenticated.at(-1), 'calls without a token are charged to the peer address').to.equal('ResourceExhausted RATE_LIMITED');

      await sleep(1000); // ~5 tokens back
      expect(await outcome(busy.listSchools({}))).to.equal('OK');
      console.log(`      rate limit 5/s, burst 10: ${served} of 15 back-to-back calls served, the rest RATE_LIMITED; served again after 1 s`);
    });
  });
});
