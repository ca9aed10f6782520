import { expect } from 'chai';
import fc from 'fast-check';
import type { BillingUseCases } from '../../src/application/use-cases.js';
import { addDays, type CalendarDate, dateInTimezone } from '../../src/domain/calendar-date.js';
import type { InvoiceId, PaymentId, SchoolId, StudentId } from '../../src/domain/ids.js';
import type { AllocationRequest } from '../../src/domain/allocation.js';
import type { StatementTotals } from '../../src/domain/statement.js';
import type { FakeClock } from '../fakes/fake-clock.js';
import { type ModelInvoice, type ModelOutcome, ReferenceLedger } from './reference-ledger.js';

/** What a randomized ledger scenario needs of a service under test. */
export interface LedgerHarness {
  readonly useCases: BillingUseCases;
  readonly clock: FakeClock;
}

export type LedgerOp =
  | { kind: 'invoice'; student: number; amount: bigint; issuedDaysAgo: number; dueDaysAfterIssue: number }
  | { kind: 'pay'; student: number; amount: bigint; minutesAgo: number; explicit: { pick: number; amount: bigint }[] }
  | { kind: 'void'; pick: number; release: boolean }
  | { kind: 'reverse'; pick: number }
  | { kind: 'amount'; pick: number; amount: bigint }
  | { kind: 'due'; pick: number; shiftDays: number }
  | { kind: 'transfer'; student: number }
  | { kind: 'tick'; days: number };

const STUDENTS = 3;
const amount = fc.bigInt({ min: 1n, max: 400n });
const pick = fc.nat({ max: 50 });
const student = fc.nat({ max: STUDENTS - 1 });

export const ledgerOp: fc.Arbitrary<LedgerOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('invoice' as const), student, amount, issuedDaysAgo: fc.nat({ max: 120 }), dueDaysAfterIssue: fc.nat({ max: 90 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      student,
      amount: fc.bigInt({ min: 1n, max: 700n }),
      minutesAgo: fc.nat({ max: 60 * 24 * 90 }),
      explicit: fc.array(fc.record({ pick, amount: fc.bigInt({ min: 1n, max: 200n }) }), { maxLength: 2 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('void' as const), pick, release: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reverse' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('amount' as const), pick, amount }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('due' as const), pick, shiftDays: fc.integer({ min: -60, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), student }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), days: fc.integer({ min: 1, max: 40 }) }) },
);

async function outcome(action: () => Promise<unknown>): Promise<ModelOutcome> {
  try {
    await action();
    return 'ok';
  } catch (error) {
    const reason = (error as { reason?: string }).reason;
    if (!reason) throw error;
    return reason;
  }
}

/**
 * Runs the operations through the service and the reference model side by
 * side; after every step the service must agree with the model and every
 * invariant of SPEC §3 must hold.
 */
export async function runLedgerScenario(harness: LedgerHarness, ops: readonly LedgerOp[]): Promise<void> {
  const { useCases, clock } = harness;
  const model = new ReferenceLedger();
  const schools: SchoolId[] = [];
  for (const name of ['North', 'South']) {
    schools.push((await useCases.createSchool.execute({ name, currencyCode: 'USD', timezone: 'America/New_York' })).id);
  }
  const students: { id: StudentId; school: number }[] = [];
  for (let i = 0; i < STUDENTS; i += 1) {
    const created = await useCases.createStudent.execute({
      schoolId: schools[0]!,
      firstName: `Student${i}`,
      lastName: 'Model',
      email: '',
      externalRef: '',
      status: 'ACTIVE',
    });
    students.push({ id: created.id, school: 0 });
  }
  const account = (s: number) => `${students[s]!.id}@${schools[students[s]!.school]}`;
  const today = () => dateInTimezone(clock.now(), 'America/New_York');
  let seq = 0;

  for (const [step, op] of ops.entries()) {
    // Distinct creation times keep "oldest payment first" free of ties the model cannot see.
    clock.advance(1000);
    const context = `step ${step}: ${JSON.stringify(op, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
    let expected: ModelOutcome;
    let actual: ModelOutcome;
    switch (op.kind) {
      case 'invoice': {
        const issueDate = addDays(today(), -op.issuedDaysAgo);
        const dueDate = addDays(issueDate, op.dueDaysAfterIssue);
        let created: InvoiceId | undefined;
        actual = await outcome(async () => {
          created = (
            await useCases.createInvoice.execute({
              studentId: students[op.student]!.id,
              description: `Fee ${step}`,
              amountMinor: op.amount,
              issueDate,
              dueDate,
              idempotencyKey: null,
            })
          ).id;
        });
        expected = 'ok';
        if (created) model.addInvoice({ key: created, account: account(op.student), amount: op.amount, issueDate, dueDate, seq: seq++ });
        break;
      }
      case 'pay': {
        const paidAt = new Date(clock.now().getTime() - op.minutesAgo * 60_000);
        const targets = op.explicit
          .map((e) => ({ invoice: model.invoices[e.pick % Math.max(1, model.invoices.length)], amount: e.amount }))
          .filter((e): e is { invoice: ModelInvoice; amount: bigint } => e.invoice !== undefined);
        const distinct = targets.filter((t, i) => targets.findIndex((u) => u.invoice.key === t.invoice.key) === i);
        let created: PaymentId | undefined;
        actual = await outcome(async () => {
          created = (
            await useCases.createPayment.execute({
              studentId: students[op.student]!.id,
              amountMinor: op.amount,
              paidAt,
              method: 'BANK_TRANSFER',
              reference: `ref ${step}`,
              allocations: distinct.map((t) => ({ invoiceId: t.invoice.key as InvoiceId, amountMinor: t.amount })) as AllocationRequest[],
              idempotencyKey: null,
            })
          ).id;
        });
        expected = model.addPayment({ key: created ?? `rejected-${step}`, account: account(op.student), amount: op.amount, paidAt: paidAt.getTime() }, distinct);
        break;
      }
      case 'void': {
        const invoice = model.invoices[op.pick % Math.max(1, model.invoices.length)];
        if (!invoice) continue;
        actual = await outcome(() => useCases.voidInvoice.execute({ id: invoice.key as InvoiceId, releaseAllocations: op.release }));
        expected = model.voidInvoice(invoice, op.release);
        break;
      }
      case 'reverse': {
        const payment = model.payments[op.pick % Math.max(1, model.payments.length)];
        if (!payment) continue;
        actual = await outcome(() => useCases.reversePayment.execute(payment.key as PaymentId));
        expected = model.reverse(payment);
        break;
      }
      case 'amount': {
        const invoice = model.invoices[op.pick % Math.max(1, model.invoices.length)];
        if (!invoice) continue;
        actual = await outcome(() => useCases.updateInvoice.execute({ id: invoice.key as InvoiceId, amountMinor: op.amount }));
        expected = model.changeAmount(invoice, op.amount);
        break;
      }
      case 'due': {
        const invoice = model.invoices[op.pick % Math.max(1, model.invoices.length)];
        if (!invoice) continue;
        const dueDate = addDays(invoice.dueDate as CalendarDate, op.shiftDays);
        actual = await outcome(() => useCases.updateInvoice.execute({ id: invoice.key as InvoiceId, dueDate }));
        expected = model.changeDueDate(invoice, dueDate);
        break;
      }
      case 'transfer': {
        const s = students[op.student]!;
        const to = 1 - s.school;
        actual = await outcome(() => useCases.updateStudent.execute({ id: s.id, schoolId: schools[to]! }));
        expected = model.settled(account(op.student)) ? 'ok' : 'TRANSFER_ACCOUNT_NOT_SETTLED';
        if (actual === 'ok') s.school = to;
        break;
      }
      case 'tick': {
        clock.advanceDays(op.days);
        continue;
      }
    }
    expect(actual, context).to.equal(expected);
    await expectAgreement(harness, model, students.map((s, i) => ({ id: s.id, account: account(i) })), schools, context);
  }
}

async function expectAgreement(
  { useCases }: LedgerHarness,
  model: ReferenceLedger,
  students: { id: StudentId; account: string }[],
  schools: SchoolId[],
  context: string,
): Promise<void> {
  for (const invoice of model.invoices) {
    const actual = await useCases.getInvoice.execute(invoice.key as InvoiceId);
    expect({ amount: actual.amountMinor, applied: actual.appliedMinor, status: actual.status }, `${context} invoice ${invoice.key}`).to.deep.equal({
      amount: invoice.amount,
      applied: model.appliedTo(invoice),
      status: model.status(invoice),
    });
    expect(actual.appliedMinor >= 0n && actual.appliedMinor <= actual.amountMinor, `${context} 0 ≤ applied ≤ amount`).to.equal(true);
  }
  for (const payment of model.payments) {
    const actual = await useCases.getPayment.execute(payment.key as PaymentId);
    const allocated = actual.allocations.reduce((sum, a) => sum + a.amountMinor, 0n);
    expect({ applied: actual.appliedMinor, credit: actual.unappliedMinor, allocated }, `${context} payment ${payment.key}`).to.deep.equal({
      applied: model.appliedFrom(payment),
      credit: model.credit(payment),
      allocated: model.appliedFrom(payment),
    });
    expect(allocated <= actual.amountMinor, `${context} Σ allocations ≤ amount`).to.equal(true);
  }
  for (const student of students) {
    const { totals } = (await useCases.getStudentStatement.execute(student.id)).value;
    const invoices = model.invoices.filter((i) => i.account === student.account);
    const payments = model.payments.filter((p) => p.account === student.account);
    const outstanding = invoices.reduce((sum, i) => sum + model.outstanding(i), 0n);
    const credit = payments.reduce((sum, p) => sum + model.credit(p), 0n);
    expect(
      {
        invoiced: totals.invoicedMinor,
        outstanding: totals.outstandingMinor,
        received: totals.receivedMinor,
        credit: totals.creditMinor,
        invoices: totals.invoiceCount,
        void: totals.voidCount,
      },
      `${context} statement of ${student.id}`,
    ).to.deep.equal({
      invoiced: invoices.filter((i) => !i.isVoid).reduce((sum, i) => sum + i.amount, 0n),
      outstanding,
      received: payments.filter((p) => !p.reversed).reduce((sum, p) => sum + p.amount, 0n),
      credit,
      invoices: BigInt(invoices.length),
      void: BigInt(invoices.filter((i) => i.isVoid).length),
    });
    expectTotalsConsistent(totals, `${context} statement of ${student.id}`);
  }
  for (const schoolId of schools) {
    const statement = (await useCases.getSchoolStatement.execute(schoolId, { size: 1000, token: null })).value;
    expectTotalsConsistent(statement.totals, `${context} school ${schoolId}`);
    for (const key of ['invoicedMinor', 'appliedMinor', 'outstandingMinor', 'creditMinor', 'overdueMinor'] as const) {
      expect(statement.rows.reduce((sum, row) => sum + row[key], 0n), `${context} Σ rows ${key}`).to.equal(statement.totals[key]);
    }
    for (const row of statement.rows) {
      expect(row.creditMinor > 0n && row.outstandingMinor > 0n, `${context} credit rule for ${row.studentId}`).to.equal(false);
    }
  }
}

function expectTotalsConsistent(totals: StatementTotals, context: string): void {
  const aging = Object.values(totals.aging).reduce((sum, v) => sum + v, 0n);
  expect(totals.invoicedMinor - totals.appliedMinor, `${context} invoiced − applied = outstanding`).to.equal(totals.outstandingMinor);
  expect(totals.receivedMinor - totals.appliedMinor, `${context} received − applied = credit`).to.equal(totals.creditMinor);
  expect(aging, `${context} Σ aging = outstanding`).to.equal(totals.outstandingMinor);
  expect(totals.netBalanceMinor, `${context} net`).to.equal(totals.outstandingMinor - totals.creditMinor);
  expect(totals.unpaidCount + totals.partiallyPaidCount + totals.paidCount + totals.voidCount, `${context} counts`).to.equal(totals.invoiceCount);
}
