import { Code, ConnectError } from '@connectrpc/connect';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { PaymentMethod } from '../../src/gen/billing/v1/payment_pb.js';
import { expectLedgerInvariants } from '../support/ledger-invariants.js';
import { type BillingClients, type ServiceHarness, startServiceHarness } from '../support/service-harness.js';

/** The codes a concurrent call may legitimately end with: success or a business refusal. */
const ACCEPTABLE = new Set([Code.FailedPrecondition]);

async function settle(calls: Promise<unknown>[]): Promise<{ ok: number; refused: number }> {
  const results = await Promise.allSettled(calls);
  let ok = 0;
  let refused = 0;
  for (const result of results) {
    if (result.status === 'fulfilled') ok += 1;
    else if (result.reason instanceof ConnectError && ACCEPTABLE.has(result.reason.code)) refused += 1;
    else throw result.reason;
  }
  return { ok, refused };
}

describe('concurrent writes on one student (end to end, PostgreSQL)', function () {
  this.timeout(120_000);
  let h: ServiceHarness;
  let connections: BillingClients[];

  before(async () => {
    h = await startServiceHarness();
    connections = Array.from({ length: 5 }, () => h.connect());
  });
  after(async () => h?.close());

  it('never over-applies under 50 concurrent payments, reversals, voids and edits', async () => {
    const school = (await h.schools.createSchool({ name: 'Race High', currencyCode: 'USD', timezone: 'UTC' })).school!;
    const student = (await h.students.createStudent({ schoolId: school.id, firstName: 'Con', lastName: 'Current' })).student!;
    const invoices = [];
    for (let i = 0; i < 8; i += 1) {
      invoices.push(
        (await h.invoices.createInvoice({ studentId: student.id, description: `Fee ${i}`, amountMinor: 1000n + BigInt(i), dueDate: `2030-0${1 + (i % 9)}-01` }))
          .invoice!,
      );
    }
    const early = [];
    for (let i = 0; i < 6; i += 1) {
      early.push((await h.payments.createPayment({ studentId: student.id, amountMinor: 700n, method: PaymentMethod.CASH })).payment!);
    }

    const on = (i: number) => connections[i % connections.length]!;
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i += 1) {
      const c = on(i);
      switch (i % 5) {
        case 0:
        case 1:
          calls.push(c.payments.createPayment({ studentId: student.id, amountMinor: BigInt(300 + i * 7), method: PaymentMethod.CARD }));
          break;
        case 2:
          calls.push(c.payments.deletePayment({ id: early[i % early.length]!.id }));
          break;
        case 3:
          calls.push(c.invoices.deleteInvoice({ id: invoices[i % invoices.length]!.id, releaseAllocations: i % 2 === 0 }));
          break;
        case 4:
          calls.push(c.invoices.updateInvoice({ id: invoices[(i + 3) % invoices.length]!.id, amountMinor: BigInt(800 + i * 11) }));
          break;
      }
    }
    const outcome = await settle(calls);

    await expectLedgerInvariants(h.database.sequelize);
    const { statement } = await h.statements.getStudentStatement({ studentId: student.id });
    const totals = statement!.totals!;
    expect(totals.invoicedMinor - totals.appliedMinor).to.equal(totals.outstandingMinor);
    expect(totals.receivedMinor - totals.appliedMinor).to.equal(totals.creditMinor);
    expect(totals.creditMinor === 0n || totals.outstandingMinor === 0n, 'credit rule').to.equal(true);
    console.log(`      50 concurrent writes: ${outcome.ok} succeeded, ${outcome.refused} refused by a business rule; invariants hold`);
  });

  it('gives 20 concurrent CreatePayment calls with one idempotency key the one payment', async () => {
    const school = (await h.schools.createSchool({ name: 'Retry High', currencyCode: 'USD', timezone: 'UTC' })).school!;
    const student = (await h.students.createStudent({ schoolId: school.id, firstName: 'Re', lastName: 'Try' })).student!;
    await h.invoices.createInvoice({ studentId: student.id, description: 'Fee', amountMinor: 5000n, dueDate: '2030-01-01' });

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        connections[i % connections.length]!.payments.createPayment({
          studentId: student.id,
          amountMinor: 1234n,
          method: PaymentMethod.BANK_TRANSFER,
          idempotencyKey: 'once-only',
        }),
      ),
    );

    expect(new Set(results.map((r) => r.payment!.id)).size).to.equal(1);
    const [row] = await h.database.sequelize.query<{ count: string }>(
      `SELECT count(*) AS count FROM payments WHERE student_id = $1`,
      { bind: [student.id], type: QueryTypes.SELECT },
    );
    expect(row?.count).to.equal('1');
    await expectLedgerInvariants(h.database.sequelize);
  });
});
