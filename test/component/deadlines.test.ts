import { setTimeout as sleep } from 'node:timers/promises';
import { Code, ConnectError } from '@connectrpc/connect';
import { expect } from 'chai';
import { QueryTypes, type Transaction } from 'sequelize';
import { type GrpcHarness, given, startPostgresHarness } from '../support/grpc-harness.js';

const DEADLINE_MS = 400;

/** Backends of the test database waiting for a lock (the service's statement, while it waits). */
async function waitingOnLocks(h: GrpcHarness): Promise<number> {
  const [row] = await h.database!.sequelize.query<{ waiting: string }>(
    `SELECT count(*) AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    { type: QueryTypes.SELECT },
  );
  return Number(row!.waiting);
}

async function until(condition: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > end) return false;
    await sleep(20);
  }
}

/** Runs `work` while a test connection holds `lockSql` in an open transaction; releases it after. */
async function whileLocked<T>(h: GrpcHarness, lockSql: string, bind: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  const sequelize = h.database!.sequelize;
  const transaction: Transaction = await sequelize.transaction();
  try {
    await sequelize.query(lockSql, { bind, transaction });
    return await work();
  } finally {
    await transaction.commit();
  }
}

async function timed(call: Promise<unknown>): Promise<{ code: string; ms: number }> {
  const started = performance.now();
  try {
    await call;
    return { code: 'OK', ms: performance.now() - started };
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    return { code: Code[error.code], ms: performance.now() - started };
  }
}

describe('deadlines honoured down to the database (PostgreSQL)', function () {
  this.timeout(60_000);
  let h: GrpcHarness;

  beforeEach(async () => {
    h = await startPostgresHarness();
  });
  afterEach(async () => h?.close());

  it('a write waiting on a row lock past its deadline is DEADLINE_EXCEEDED, stops waiting in the database and leaves nothing behind', async () => {
    const g = given(h);
    const school = await g.school();
    const student = await g.student(school.id);

    const { answer, stillWaiting } = await whileLocked(h, 'SELECT id FROM students WHERE id = $id FOR UPDATE', { id: student.id }, async () => {
      const answer = await timed(
        h.invoices.createInvoice({ studentId: student.id, description: 'Late', amountMinor: 100n, dueDate: '2026-04-30' }, { timeoutMs: DEADLINE_MS }),
      );
      // statement_timeout cancels the server's statement at its deadline: nobody is left waiting on the lock.
      const released = await until(async () => (await waitingOnLocks(h)) === 0, 1000);
      return { answer, stillWaiting: !released };
    });
    await sleep(200); // had the transaction gone on after the lock was released, it would have committed by now

    expect(answer.code).to.equal('DeadlineExceeded');
    expect(answer.ms).to.be.within(DEADLINE_MS - 50, DEADLINE_MS + 1500);
    expect(stillWaiting, 'the service still waited on the lock after its deadline').to.equal(false);
    expect((await h.invoices.listInvoices({ studentId: student.id })).invoices).to.deep.equal([]);
    const { statement } = await h.statements.getStudentStatement({ studentId: student.id });
    expect(statement!.totals!.invoiceCount).to.equal(0n);
    expect(h.internalErrors).to.deep.equal([]);
    // The next call with time to spare goes through.
    expect((await h.invoices.createInvoice({ studentId: student.id, description: 'On time', amountMinor: 100n, dueDate: '2026-04-30' })).invoice!.number).to.equal('INV-000001');
    console.log(`      write behind a row lock, ${DEADLINE_MS} ms deadline: ${answer.code} after ${Math.round(answer.ms)} ms; nothing written`);
  });

  it('a statement read blocked past its deadline is DEADLINE_EXCEEDED and its snapshot stops waiting', async () => {
    const g = given(h);
    const school = await g.school();
    const student = await g.student(school.id);
    await g.invoice(student.id, 500n, '2026-04-30');

    const { answer, stillWaiting } = await whileLocked(h, 'LOCK TABLE invoices IN ACCESS EXCLUSIVE MODE', {}, async () => {
      const answer = await timed(h.statements.getStudentStatement({ studentId: student.id }, { timeoutMs: DEADLINE_MS }));
      const released = await until(async () => (await waitingOnLocks(h)) === 0, 1000);
      return { answer, stillWaiting: !released };
    });

    expect(answer.code).to.equal('DeadlineExceeded');
    expect(answer.ms).to.be.within(DEADLINE_MS - 50, DEADLINE_MS + 1500);
    expect(stillWaiting).to.equal(false);
    expect(h.internalErrors).to.deep.equal([]);
    expect((await h.statements.getStudentStatement({ studentId: student.id })).statement!.totals!.invoicedMinor).to.equal(500n);
    console.log(`      statement read behind a table lock, ${DEADLINE_MS} ms deadline: ${answer.code} after ${Math.round(answer.ms)} ms`);
  });
});
