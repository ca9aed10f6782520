import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { pino } from 'pino';
import { type RunningService, startService } from '../../src/composition/service.js';
import { loadConfig } from '../../src/config.js';
import { InvoiceStatus } from '../../src/gen/billing/v1/invoice_pb.js';
import { planDataset } from '../../src/seed/plan.js';
import { type BillingClients, billingClients } from '../support/service-harness.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';
import { TEST_AUTH_ENV, adminToken } from '../support/auth.js';

const run = promisify(execFile);

/** `npm run seed -- ARGS` as a process (tsx instead of the build), with `env`. */
async function seed(args: string[], env: Record<string, string>) {
  return run(process.execPath, ['--import', 'tsx', 'src/seed.ts', ...args], {
    env: { ...process.env, ...env },
    maxBuffer: 10 * 1024 * 1024,
  });
}

function countsOf(summary: string) {
  const match = /(\d+) schools, (\d+) students, (\d+) invoices, (\d+) payments,\s+(\d+) transfers, (\d+) voided invoices, (\d+) reversed payments/.exec(summary);
  expect(match, summary).to.not.equal(null);
  const n = (i: number) => Number(match![i]);
  return { schools: n(1), students: n(2), invoices: n(3), payments: n(4), transfers: n(5), voids: n(6), reversals: n(7) };
}

/** Every page of a list. */
async function all<T>(page: (token: string) => Promise<{ items: T[]; next: string }>): Promise<T[]> {
  const items: T[] = [];
  let token = '';
  do {
    const result = await page(token);
    items.push(...result.items);
    token = result.next;
  } while (token !== '');
  return items;
}

describe('sample data (npm run seed)', function () {
  this.timeout(180_000);
  const ARGS = ['--schools', '2', '--students', '12', '--invoices', '6', '--payments', '4', '--seed', '7'];
  let database: TestDatabase;
  let service: RunningService;
  let api: BillingClients;
  let summary: string;

  before(async () => {
    database = await createTestDatabase({ migrate: false });
    ({ stdout: summary } = await seed(ARGS, { DATABASE_URL: database.url }));
    service = await startService(
      loadConfig({ ...TEST_AUTH_ENV, DATABASE_URL: database.url, GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', METRICS_PORT: '0' }),
      pino({ level: 'silent' }),
    );
    api = billingClients(`http://127.0.0.1:${service.grpcPort}`, await adminToken());
  });
  after(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('loads the planned dataset through the use cases, as the API then shows it', async () => {
    const counts = countsOf(summary);
    expect(counts).to.deep.include({ schools: 2, students: 12, invoices: 72 });
    expect(counts.transfers).to.be.at.least(1);

    const schools = (await api.schools.listSchools({ pageSize: 100 })).schools;
    expect(schools.map((s) => s.currencyCode)).to.deep.equal(['USD', 'USD']);
    const students = (await Promise.all(schools.map((s) => all((pageToken) => api.students.listStudents({ schoolId: s.id, pageSize: 1000, pageToken }).then((r) => ({ items: r.students, next: r.nextPageToken })))))).flat();
    const invoices = (await Promise.all(schools.map((s) => all((pageToken) => api.invoices.listInvoices({ schoolId: s.id, pageSize: 1000, pageToken }).then((r) => ({ items: r.invoices, next: r.nextPageToken })))))).flat();
    const payments = (await Promise.all(schools.map((s) => all((pageToken) => api.payments.listPayments({ schoolId: s.id, pageSize: 1000, pageToken }).then((r) => ({ items: r.payments, next: r.nextPageToken })))))).flat();
    expect([students.length, invoices.length, payments.length]).to.deep.equal([counts.students, counts.invoices, counts.payments]);
    expect(new Set(students.map((s) => s.externalRef)).size).to.equal(12);

    // Due dates across past and coming months; partial payments; overdue invoices; a void; a transfer with invoices at both schools.
    const today = new Date().toISOString().slice(0, 10);
    expect(invoices.some((i) => i.dueDate < today.slice(0, 7))).to.equal(true);
    expect(invoices.some((i) => i.dueDate > today)).to.equal(true);
    expect(invoices.some((i) => i.status === InvoiceStatus.PARTIALLY_PAID)).to.equal(true);
    expect(invoices.some((i) => i.overdue)).to.equal(true);
    expect(invoices.filter((i) => i.status === InvoiceStatus.VOID)).to.have.length(counts.voids);
    const schoolsOf = new Map<string, Set<string>>();
    for (const invoice of invoices) schoolsOf.set(invoice.studentId, (schoolsOf.get(invoice.studentId) ?? new Set()).add(invoice.schoolId));
    const moved = [...schoolsOf.values()].filter((set) => set.size === 2);
    expect(moved).to.have.length(counts.transfers);

    // Overpayments became credit; the summary's figures are the statements'.
    const statements = await Promise.all(schools.map((s) => api.statements.getSchoolStatement({ schoolId: s.id })));
    const credit = statements.reduce((sum, r) => sum + r.statement!.totals!.creditMinor, 0n);
    expect(credit > 0n).to.equal(true);
    for (const { statement } of statements) {
      const t = statement!.totals!;
      const money = (minor: bigint) => `${(minor / 100n).toLocaleString('en')}.${(minor % 100n).toString().padStart(2, '0')} USD`;
      expect(summary).to.include(`invoiced ${money(t.invoicedMinor)}, received ${money(t.receivedMinor)}, applied ${money(t.appliedMinor)}`);
      expect(summary).to.include(`credit ${money(t.creditMinor)}`);
    }
  });

  it('gives the same data for the same seed', async () => {
    const other = await createTestDatabase({ migrate: false });
    try {
      const { stdout } = await seed(ARGS, { DATABASE_URL: other.url });
      const stable = (text: string) => text.replace(/Seeded in [\d.]+ s/, '').replace(/\([0-9a-f-]{36}\)/g, '');
      expect(stable(stdout)).to.equal(stable(summary));
    } finally {
      await other.drop();
    }
    const now = new Date();
    const options = { schools: 3, students: 50, invoices: 12, payments: 10, seed: 1 };
    expect(JSON.stringify(planDataset(options, now), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).to.equal(
      JSON.stringify(planDataset(options, now), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    );
    expect(planDataset({ ...options, seed: 2 }, now).students[5]).to.not.deep.equal(planDataset(options, now).students[5]);
  });

  it('seeds a running service over gRPC with --url and a bearer token', async () => {
    const before = (await api.schools.listSchools({ pageSize: 100 })).schools.length;
    const token = await adminToken();
    const { stdout } = await seed(['--schools', '1', '--students', '2', '--invoices', '2', '--payments', '1', '--url', `http://127.0.0.1:${service.grpcPort}`, '--token', token], {});
    expect(countsOf(stdout)).to.deep.include({ schools: 1, students: 2, invoices: 4 });
    expect((await api.schools.listSchools({ pageSize: 100 })).schools).to.have.length(before + 1);
  });

  it('refuses bad arguments, naming them', async () => {
    const failure = await seed(['--students', 'many'], {}).catch((error: { code: number; stderr: string }) => error);
    expect(failure).to.include({ code: 2 });
    expect((failure as { stderr: string }).stderr).to.match(/^--students must be a whole number/);
  });
});
