import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { expect } from 'chai';
import { SchoolService } from '../../src/gen/billing/v1/school_pb.js';
import { developmentSecretPath } from '../../src/infrastructure/auth/development-secret.js';
import { bearer } from '../support/auth.js';
import { spawnService } from '../support/spawned-service.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

const run = promisify(execFile);

/** Runs the service's entry point expecting it to refuse to start: exit code and output. */
async function refusal(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AUTH_') && !name.startsWith('TLS_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...clean, GRPC_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output };
}

function schools(port: number, token: string | null) {
  return createClient(SchoolService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}`, interceptors: [bearer(token)] }));
}

async function code(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    if (error instanceof ConnectError) return Code[error.code];
    throw error;
  }
}

describe('starting with and without keys (spawned service)', function () {
  this.timeout(180_000);
  let database: TestDatabase;
  let dataDir: string;

  before(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'billing-startup-'));
  });
  after(async () => {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses production without token keys, naming the variables, and production with AUTH_MODE=none', async () => {
    const missing = await refusal({ NODE_ENV: 'production', DATABASE_URL: database.url });
    expect(missing.code).to.equal(2);
    expect(missing.output).to.include('AUTH_JWT_SECRET').and.include('AUTH_JWKS_FILE').and.include('AUTH_JWKS_URL').and.include('NODE_ENV=production');
    const off = await refusal({ NODE_ENV: 'production', AUTH_MODE: 'none', AUTH_JWT_SECRET: 'x'.repeat(40), DATABASE_URL: database.url });
    expect(off.code).to.equal(2);
    expect(off.output).to.include('AUTH_MODE');
    console.log(`      production without keys: exit ${missing.code}, "${missing.output.trim().split('\n')[0]}"`);
  });

  it('outside production with no key: generates a 0600 secret once, prints a working admin token, reuses the secret next time; npm run token mints from it', async () => {
    const env = { DATABASE_URL: database.url, DATA_DIR: dataDir, AUTH_JWT_SECRET: '' };
    const first = await spawnService(env);
    let firstToken: string;
    let secret: string;
    try {
      const banner = first.output();
      expect(banner).to.include('WARNING: no token keys are configured');
      firstToken = /TOKEN=(\S+)/.exec(banner)![1]!;
      expect(banner).to.include(`-H "Authorization: Bearer ${firstToken}"`);
      const file = developmentSecretPath(dataDir);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      secret = readFileSync(file, 'utf8');
      expect(secret.trim()).to.have.length.greaterThanOrEqual(43);

      expect(await code(schools(first.port, firstToken).createSchool({ name: 'Dev', currencyCode: 'USD', timezone: 'UTC' }))).to.equal('OK');
      expect(await code(schools(first.port, null).listSchools({}))).to.equal('Unauthenticated');
    } finally {
      await first.stop();
    }

    const second = await spawnService(env);
    try {
      expect(readFileSync(developmentSecretPath(dataDir), 'utf8'), 'the secret is reused').to.equal(secret);
      expect(await code(schools(second.port, firstToken).listSchools({})), 'a token from the first start still works').to.equal('OK');
      const { schools: listed } = await schools(second.port, firstToken).listSchools({});
      const own = listed[0]!.id;
      const other = (await schools(second.port, firstToken).createSchool({ name: 'Other', currencyCode: 'USD', timezone: 'UTC' })).school!.id;

      const mint = async (...args: string[]) =>
        (await run('npm', ['run', '--silent', 'token', '--', ...args], { env: { ...process.env, DATA_DIR: dataDir, AUTH_JWT_SECRET: '' } })).stdout.trim();
      const schoolToken = await mint('--role', 'school', '--school', own, '--expires', '10m');
      const adminToken = await mint('--role', 'admin');
      expect(await code(schools(second.port, schoolToken).getSchool({ id: own }))).to.equal('OK');
      expect(await code(schools(second.port, schoolToken).getSchool({ id: other }))).to.equal('PermissionDenied');
      expect(await code(schools(second.port, schoolToken).deleteSchool({ id: other }))).to.equal('PermissionDenied');
      expect(await code(schools(second.port, adminToken).deleteSchool({ id: other }))).to.equal('OK');
      const usage = await run('npm', ['run', '--silent', 'token', '--', '--role', 'school'], { env: { ...process.env, DATA_DIR: dataDir } }).then(
        () => 'accepted',
        (error: { code: number; stderr: string }) => `${error.code} ${error.stderr}`,
      );
      expect(usage).to.match(/^2 a school token needs/);
    } finally {
      await second.stop();
    }
  });

  it('with AUTH_MODE=none serves every caller without a token and warns at every start', async () => {
    const service = await spawnService({ DATABASE_URL: database.url, DATA_DIR: dataDir, AUTH_MODE: 'none' });
    try {
      expect(service.output()).to.include('AUTHENTICATION IS OFF (AUTH_MODE=none)');
      expect(service.output()).to.include('authentication: OFF');
      expect(await code(schools(service.port, null).createSchool({ name: 'Open', currencyCode: 'USD', timezone: 'UTC' }))).to.equal('OK');
    } finally {
      await service.stop();
    }
  });
});
