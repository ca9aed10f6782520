import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { banner } from '../../src/banner.js';
import { type SpawnedService, freePort, spawnService } from '../support/spawned-service.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';
import { adminToken } from '../support/auth.js';

const run = promisify(execFile);

/** The commands under "Try:" in what the service printed. */
function tryCommands(output: string): string[] {
  const start = output.indexOf('  Try:');
  expect(start, output).to.be.at.least(0);
  return output
    .slice(start)
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line.startsWith('npx ') || line.startsWith('curl '));
}

describe('start banner (spawned service)', function () {
  this.timeout(180_000);
  let database: TestDatabase;
  let service: SpawnedService;
  let connectPort: number;
  let metricsPort: number;

  before(async () => {
    database = await createTestDatabase({ migrate: false });
    connectPort = await freePort();
    metricsPort = await freePort();
    service = await spawnService({
      DATABASE_URL: database.url,
      CONNECT_HOST: '127.0.0.1',
      CONNECT_PORT: String(connectPort),
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
    });
  });
  after(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('prints where it listens, and its example commands run as printed', async () => {
    const output = service.output();
    expect(output).to.include(`School billing gRPC service on http://127.0.0.1:${service.port}`);
    expect(output).to.include(`Connect, gRPC-Web and JSON on http://127.0.0.1:${connectPort}`);
    expect(output).to.include(`Prometheus metrics on http://127.0.0.1:${metricsPort}/metrics`);
    const commands = tryCommands(output);
    expect(commands).to.have.length(5);
    // The service checks tokens of the test secret: the examples' $TOKEN is one of those.
    const env = { ...process.env, TOKEN: await adminToken() };

    const outputs: string[] = [];
    for (const command of commands) {
      const { stdout } = await run('bash', ['-c', `set -euo pipefail\n${command}`], { maxBuffer: 10 * 1024 * 1024, env });
      outputs.push(stdout);
    }

    expect(outputs[0]).to.include('billing.v1.SchoolService/CreateSchool');
    expect(JSON.parse(outputs[1]!)).to.have.nested.property('school.id');
    expect((JSON.parse(outputs[2]!) as { schools: unknown[] }).schools).to.have.length(1);
    expect((JSON.parse(outputs[3]!) as { schools: unknown[] }).schools).to.have.length(1);
    expect(outputs[4]).to.match(/grpc_server_handled_total\{[^}]*grpc_method="ListSchools"[^}]*\} 2/);
  });

  it('adds the bearer token to every example that needs one, and none when authentication is off', () => {
    const facts = { grpcHost: '0.0.0.0', grpcPort: 50051, connectPort: 8080, metricsPort: 9464, database: 'db', cache: 'memory' };
    const withToken = tryCommands(banner({ ...facts, authentication: 'development secret', developmentToken: 'T0KEN' }));
    const placeholder = tryCommands(banner({ ...facts, authentication: 'HS256 secret (AUTH_JWT_SECRET)' }));
    const off = tryCommands(banner({ ...facts, authentication: 'OFF (AUTH_MODE=none)' }));

    expect(withToken.filter((command) => command.includes('-H "Authorization: Bearer T0KEN"'))).to.have.length(3);
    expect(placeholder.filter((command) => command.includes('-H "Authorization: Bearer $TOKEN"'))).to.have.length(3);
    expect(off.filter((command) => command.includes('Authorization'))).to.have.length(0);
    expect(banner(facts)).to.include('http://localhost:50051');
  });
});
