import { ConnectError } from '@connectrpc/connect';
import { Code } from '@connectrpc/connect';
import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { InvoiceStatus } from '../../src/gen/billing/v1/invoice_pb.js';
import { PaymentStatus } from '../../src/gen/billing/v1/payment_pb.js';
import type { SchoolStatement, StatementTotals, StudentStatement } from '../../src/gen/billing/v1/statement_pb.js';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import type { BillingClients } from './service-harness.js';

/** FAILED_PRECONDITION for Code.FailedPrecondition: the gRPC spelling. */
export function codeName(code: Code | number): string {
  return code === 0 ? 'OK' : (Code[code] ?? String(code)).replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/** "FAILED_PRECONDITION/INVOICE_VOID" for a ConnectError with an ErrorInfo; the code alone otherwise. */
export function outcomeOf(error: unknown): string {
  if (!(error instanceof ConnectError)) return `not a ConnectError: ${String(error)}`;
  const reason = error.findDetails(ErrorInfoSchema)[0]?.reason;
  const code = codeName(error.code);
  return reason ? `${code}/${reason}` : code;
}

/** Calls settled, counted by outcome ("OK" or code/reason). */
export async function tally(calls: readonly Promise<unknown>[]): Promise<{ counts: Map<string, number>; results: PromiseSettledResult<unknown>[] }> {
  const results = await Promise.allSettled(calls);
  const counts = new Map<string, number>();
  for (const result of results) {
    const key = result.status === 'fulfilled' ? 'OK' : outcomeOf(result.reason);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { counts, results };
}

export function describeCounts(counts: ReadonlyMap<string, number>): string {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key}=${n}`)
    .join(' ');
}

const sum = (values: readonly bigint[]) => values.reduce((a, b) => a + b, 0n);

function expectAgingAndBalance(totals: StatementTotals, label: string, creditRule: boolean): void {
  const aging = totals.aging!;
  expect(
    aging.currentMinor + aging.days130Minor + aging.days3160Minor + aging.days6190Minor + aging.daysOver90Minor,
    `${label}: Σ aging buckets = outstanding`,
  ).to.equal(totals.outstandingMinor);
  expect(totals.invoicedMinor - totals.appliedMinor, `${label}: invoiced − applied = outstanding`).to.equal(totals.outstandingMinor);
  expect(totals.receivedMinor - totals.appliedMinor, `${label}: received − applied = credit`).to.equal(totals.creditMinor);
  expect(totals.netBalanceMinor, `${label}: net = outstanding − credit`).to.equal(totals.outstandingMinor - totals.creditMinor);
  // Per student only: a school may hold one student's credit beside another's debt.
  if (creditRule) expect(totals.creditMinor === 0n || totals.outstandingMinor === 0n, `${label}: credit rule`).to.equal(true);
  expect(totals.invoiceCount, `${label}: counts`).to.equal(totals.unpaidCount + totals.partiallyPaidCount + totals.paidCount + totals.voidCount);
}

/** A student statement agrees with its own lines and with itself (SPEC §3 invariants). */
export function expectStudentStatementConsistent(statement: StudentStatement): void {
  const totals = statement.totals!;
  const open = statement.invoices.filter((line) => line.status !== InvoiceStatus.VOID);
  const completed = statement.payments.filter((line) => line.status === PaymentStatus.COMPLETED);
  expect(totals.invoicedMinor, 'student: invoiced = Σ non-void lines').to.equal(sum(open.map((line) => line.amountMinor)));
  expect(totals.appliedMinor, 'student: applied = Σ invoice lines').to.equal(sum(statement.invoices.map((line) => line.appliedMinor)));
  expect(totals.appliedMinor, 'student: applied = Σ payment lines').to.equal(sum(statement.payments.map((line) => line.appliedMinor)));
  expect(totals.outstandingMinor, 'student: outstanding = Σ lines').to.equal(sum(open.map((line) => line.outstandingMinor)));
  expect(totals.receivedMinor, 'student: received = Σ completed payments').to.equal(sum(completed.map((line) => line.amountMinor)));
  expect(totals.creditMinor, 'student: credit = Σ unapplied').to.equal(sum(completed.map((line) => line.unappliedMinor)));
  expect(totals.invoiceCount, 'student: invoice count').to.equal(BigInt(statement.invoices.length));
  for (const line of statement.invoices) {
    expect(line.appliedMinor >= 0n && line.appliedMinor <= line.amountMinor, `invoice ${line.number}: 0 ≤ applied ≤ amount`).to.equal(true);
    if (line.status !== InvoiceStatus.VOID) expect(line.amountMinor - line.appliedMinor).to.equal(line.outstandingMinor);
  }
  for (const line of statement.payments) {
    expect(line.appliedMinor + line.unappliedMinor <= line.amountMinor, `payment ${line.paymentId}: Σ allocations ≤ amount`).to.equal(true);
  }
  expectAgingAndBalance(totals, 'student', true);
}

/** Every row of a (single-page) school statement adds up to its totals. */
export function expectSchoolStatementConsistent(statement: SchoolStatement): void {
  const totals = statement.totals!;
  const rows = statement.rows;
  expect(sum(rows.map((r) => r.invoicedMinor)), 'school: Σ rows invoiced').to.equal(totals.invoicedMinor);
  expect(sum(rows.map((r) => r.appliedMinor)), 'school: Σ rows applied').to.equal(totals.appliedMinor);
  expect(sum(rows.map((r) => r.outstandingMinor)), 'school: Σ rows outstanding').to.equal(totals.outstandingMinor);
  expect(sum(rows.map((r) => r.creditMinor)), 'school: Σ rows credit').to.equal(totals.creditMinor);
  expect(sum(rows.map((r) => r.overdueMinor)), 'school: Σ rows overdue').to.equal(totals.overdueMinor);
  expectAgingAndBalance(totals, 'school', false);
}

/**
 * The student's and the school's statements, read through the service, agree
 * with themselves, with each other and with the rows stored (test SQL).
 */
export async function expectStatementsConsistent(
  clients: BillingClients,
  sequelize: Sequelize,
  ids: { studentId: string; schoolId: string },
): Promise<{ student: StudentStatement; school: SchoolStatement }> {
  const student = (await clients.statements.getStudentStatement({ studentId: ids.studentId })).statement!;
  const school = (await clients.statements.getSchoolStatement({ schoolId: ids.schoolId, pageSize: 1000 })).statement!;
  expectStudentStatementConsistent(student);
  expectSchoolStatementConsistent(school);
  const row = school.rows.find((r) => r.studentId === ids.studentId)!;
  expect(row, 'the student has a row in the school statement').to.not.equal(undefined);
  const totals = student.totals!;
  expect([row.invoicedMinor, row.appliedMinor, row.outstandingMinor, row.creditMinor]).to.deep.equal([
    totals.invoicedMinor,
    totals.appliedMinor,
    totals.outstandingMinor,
    totals.creditMinor,
  ]);
  const [stored] = await sequelize.query<{ invoiced: string; applied: string; received: string; payments: string; invoices: string }>(
    `SELECT
       (SELECT COALESCE(SUM(amount_minor), 0) FROM invoices WHERE student_id = $1 AND school_id = $2 AND state <> 'VOID') AS invoiced,
       (SELECT COALESCE(SUM(applied_minor), 0) FROM invoices WHERE student_id = $1 AND school_id = $2) AS applied,
       (SELECT COALESCE(SUM(amount_minor), 0) FROM payments WHERE student_id = $1 AND school_id = $2 AND status = 'COMPLETED') AS received,
       (SELECT count(*) FROM payments WHERE student_id = $1 AND school_id = $2) AS payments,
       (SELECT count(*) FROM invoices WHERE student_id = $1 AND school_id = $2) AS invoices`,
    { bind: [ids.studentId, ids.schoolId], type: QueryTypes.SELECT },
  );
  expect({
    invoiced: totals.invoicedMinor,
    applied: totals.appliedMinor,
    received: totals.receivedMinor,
    payments: BigInt(student.payments.length),
    invoices: BigInt(student.invoices.length),
  }).to.deep.equal({
    invoiced: BigInt(stored!.invoiced),
    applied: BigInt(stored!.applied),
    received: BigInt(stored!.received),
    payments: BigInt(stored!.payments),
    invoices: BigInt(stored!.invoices),
  });
  return { student, school };
}
