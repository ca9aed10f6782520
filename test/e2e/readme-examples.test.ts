import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { type SpawnedService, spawnService } from '../support/spawned-service.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

const run = promisify(execFile);

/** The parts of buf curl's JSON output the test reads. */
interface Response {
  invoice?: Record<string, unknown>;
  payment?: Record<string, unknown>;
  statement?: { student?: unknown; school?: unknown; totals?: Record<string, unknown>; rows?: unknown[] };
}

/** The README's "Calling it" shell block, verbatim. */
function readmeExamples(): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Calling it'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README has no shell block under "Calling it"');
  return block[1]!;
}

describe('README examples (spawned service, buf curl through reflection)', function () {
  this.timeout(180_000);
  let database: TestDatabase;
  let service: SpawnedService;
  // As on a developer's machine: no key configured, so the service and `npm run token`
  // share the development secret in DATA_DIR (a private one here).
  const dataDir = mkdtempSync(join(tmpdir(), 'billing-readme-'));

  before(async () => {
    database = await createTestDatabase({ migrate: false });
    service = await spawnService({ DATABASE_URL: database.url, DATA_DIR: dataDir, AUTH_JWT_SECRET: '' });
  });
  after(async () => {
    await service?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('run as written and give the documented results', async () => {
    const script = `set -euo pipefail\nshopt -s expand_aliases\n${readmeExamples().replaceAll('localhost:50051', `127.0.0.1:${service.port}`)}`;

    const { stdout } = await run('bash', ['-c', script], { maxBuffer: 10 * 1024 * 1024, env: { ...process.env, DATA_DIR: dataDir } });

    const documents = [...stdout.matchAll(/^\{[\s\S]*?^\}$/gm)].map((m) => JSON.parse(m[0]) as Response);
    const invoice = documents.find((d) => d.invoice)?.invoice;
    const payment = documents.find((d) => d.payment)?.payment;
    const studentStatement = documents.find((d) => d.statement?.student)?.statement;
    const schoolStatement = documents.find((d) => d.statement?.school)?.statement;
    expect(invoice).to.include({ number: 'INV-000001', amountMinor: '150000', status: 'INVOICE_STATUS_UNPAID' });
    expect(payment).to.include({ amountMinor: '50000', appliedMinor: '50000', status: 'PAYMENT_STATUS_COMPLETED' });
    expect(studentStatement?.totals).to.include({ invoicedMinor: '150000', appliedMinor: '50000', outstandingMinor: '100000' });
    expect(schoolStatement?.rows).to.have.length(1);
    expect(stdout).to.include('billing.v1.StatementService/GetSchoolStatement');
  });
});
