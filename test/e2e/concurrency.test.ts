/**
 * Concurrency and idempotency through the service as production wires it
 * (composition root, PostgreSQL, grpc-js, admin tokens), over several HTTP/2
 * connections at once: SPEC §3 ("any number of concurrent payments,
 * reversals, voids and invoice edits for the same student never over-apply";
 * "concurrent duplicates all receive the one payment").
 *
 * After every burst: the stored rows keep every invariant (test SQL,
 * expectLedgerInvariants), and the student and school statements agree with
 * themselves, with each other and with the rows. The figures are printed.
 */
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { PaymentMethod } from '../../src/gen/billing/v1/payment_pb.js';
import { expectLedgerInvariants } from '../support/ledger-invariants.js';
import { type BillingClients, type ServiceHarness, startServiceHarness } from '../support/service-harness.js';
import { describeCounts, expectStatementsConsistent, outcomeOf, tally } from '../support/statement-consistency.js';

/** The refusals a concurrent write may legitimately end with: business rules that depend on what ran first. */
const BUSINESS_REFUSALS = new Set([
  'FAILED_PRECONDITION/INVOICE_HAS_ALLOCATIONS',
  'FAILED_PRECONDITION/INVOICE_VOID',
  'FAILED_PRECONDITION/INVOICE_AMOUNT_BELOW_APPLIED',
  'FAILED_PRECONDITION/ALLOCATION_EXCEEDS_OUTSTANDING',
]);

const CONNECTIONS = 6;

describe('concurrent writes on one student (end to end, PostgreSQL, several HTTP/2 connections)', function () {
  this.timeout(120_000);
  let h: ServiceHarness;
  let connections: BillingClients[];
  const on = (i: number) => connections[i % connections.length]!;

  before(async () => {
    h = await startServiceHarness();
    connections = Array.from({ length: CONNECTIONS }, () => h.connect());
  });
  after(async () => h?.close());

  async function newStudent(name: string) {
    const school = (await h.schools.createSchool({ name, currencyCode: 'USD', timezone: 'UTC' })).school!;
    const student = (await h.students.createStudent({ schoolId: school.id, firstName: 'Con', lastName: 'Current' })).student!;
    return { schoolId: school.id, studentId: student.id };
  }

  it('100 concurrent payments, reversals, voids and edits never over-apply; invariants and statements hold', async () => {
    const { schoolId, studentId } = await newStudent('Race High');
    // A bystander at the same school: its row must not move.
    const other = (await h.students.createStudent({ schoolId, firstName: 'By', lastName: 'Stander' })).student!;
    await h.invoices.createInvoice({ studentId: other.id, description: 'Fee', amountMinor: 999n, dueDate: '2030-01-01' });
    const invoices = [];
    for (let i = 0; i < 12; i += 1) {
      const dueDate = `20${30 + (i % 4)}-${String(1 + (i % 12)).padStart(2, '0')}-01`;
      invoices.push((await h.invoices.createInvoice({ studentId, description: `Fee ${i}`, amountMinor: 3000n + BigInt(i * 37), dueDate })).invoice!);
    }
    const early = [];
    for (let i = 0; i < 10; i += 1) {
      early.push((await h.payments.createPayment({ studentId, amountMinor: 650n + BigInt(i), method: PaymentMethod.CASH })).payment!);
    }

    const kinds: string[] = [];
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i += 1) {
      const c = on(i);
      const invoice = invoices[(i * 7) % invoices.length]!;
      switch (i % 6) {
        case 0:
        case 1:
          kinds.push('CreatePayment');
          calls.push(c.payments.createPayment({ studentId, amountMinor: BigInt(300 + i * 7), method: PaymentMethod.CARD }));
          break;
        case 2:
          kinds.push('CreatePayment (explicit allocation)');
          calls.push(
            c.payments.createPayment({
              studentId,
              amountMinor: 500n,
              method: PaymentMethod.CHECK,
              // The latest due invoices are paid last by automatic allocation: room for explicit ones.
              allocations: [{ invoiceId: invoices[[3, 7, 11, 2, 6][i % 5]!]!.id, amountMinor: 100n + BigInt(i) }],
            }),
          );
          break;
        case 3:
          kinds.push('DeletePayment');
          calls.push(c.payments.deletePayment({ id: early[i % early.length]!.id }));
          break;
        case 4:
          kinds.push('DeleteInvoice');
          calls.push(c.invoices.deleteInvoice({ id: invoice.id, releaseAllocations: i % 4 === 0 }));
          break;
        case 5:
          kinds.push('UpdateInvoice');
          calls.push(c.invoices.updateInvoice({ id: invoices[(i + 3) % invoices.length]!.id, amountMinor: BigInt(2800 + i * 17) }));
          break;
      }
    }
    const started = performance.now();
    const { counts, results } = await tally(calls);
    const ms = performance.now() - started;

    const byKind = new Map<string, Map<string, number>>();
    results.forEach((result, i) => {
      const key = result.status === 'fulfilled' ? 'OK' : outcomeOf(result.reason);
      const kind = byKind.get(kinds[i]!) ?? new Map<string, number>();
      kind.set(key, (kind.get(key) ?? 0) + 1);
      byKind.set(kinds[i]!, kind);
    });
    console.log(`      ${calls.length} concurrent writes on one student over ${CONNECTIONS} connections in ${ms.toFixed(0)} ms: ${describeCounts(counts)}`);
    for (const [kind, outcomes] of byKind) console.log(`        ${kind}: ${describeCounts(outcomes)}`);

    const unexpected = [...counts.keys()].filter((key) => key !== 'OK' && !BUSINESS_REFUSALS.has(key));
    expect(unexpected, 'outcomes other than success or a business refusal').to.deep.equal([]);
    expect(counts.get('OK') ?? 0, 'successes').to.be.at.least(50);

    await expectLedgerInvariants(h.database.sequelize);
    const { student } = await expectStatementsConsistent(h, h.database.sequelize, { studentId, schoolId });
    const payments = results.filter((r, i) => r.status === 'fulfilled' && kinds[i]!.startsWith('CreatePayment')).length;
    expect(student.payments).to.have.length(early.length + payments);
    const bystander = (await h.statements.getStudentStatement({ studentId: other.id })).statement!.totals!;
    expect([bystander.invoicedMinor, bystander.appliedMinor, bystander.receivedMinor]).to.deep.equal([999n, 0n, 0n]);
  });

  it('50 concurrent CreatePayment calls with one idempotency key, and 4 keys in parallel, make one payment per key', async () => {
    const { schoolId, studentId } = await newStudent('Retry High');
    await h.invoices.createInvoice({ studentId, description: 'Fee', amountMinor: 5000n, dueDate: '2030-01-01' });
    const keys = ['once-only', 'key-b', 'key-c', 'key-d', 'key-e'];
    const amountOf = (key: string) => 1000n + BigInt(keys.indexOf(key)) * 11n;

    const calls: Promise<{ key: string; id: string }>[] = [];
    const perKey = new Map<string, number>();
    const add = (key: string, i: number) => {
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
      calls.push(
        on(i)
          .payments.createPayment({ studentId, amountMinor: amountOf(key), method: PaymentMethod.BANK_TRANSFER, idempotencyKey: key })
          .then((response) => ({ key, id: response.payment!.id })),
      );
    };
    for (let i = 0; i < 50; i += 1) add('once-only', i);
    for (let i = 0; i < 40; i += 1) add(keys[1 + (i % 4)]!, i);
    const started = performance.now();
    const { counts, results } = await tally(calls);
    const ms = performance.now() - started;
    // Then the same key with other parameters, five at once: refused, never a second payment.
    const refused = await tally(
      Array.from({ length: 5 }, (_, i) =>
        on(i).payments.createPayment({ studentId, amountMinor: 7n, method: PaymentMethod.CASH, idempotencyKey: 'once-only' }),
      ),
    );
    console.log(
      `      ${calls.length} CreatePayment calls on ${keys.length} keys (${[...perKey].map(([k, n]) => `${k}×${n}`).join(', ')}) in ${ms.toFixed(0)} ms: ${describeCounts(counts)}; ` +
        `same key, other parameters ×5: ${describeCounts(refused.counts)}`,
    );

    expect([...counts.keys()], 'every duplicate receives the payment').to.deep.equal(['OK']);
    const idsByKey = new Map<string, Set<string>>();
    for (const result of results) {
      const { key, id } = (result as PromiseFulfilledResult<{ key: string; id: string }>).value;
      idsByKey.set(key, (idsByKey.get(key) ?? new Set()).add(id));
    }
    for (const key of keys) expect(idsByKey.get(key)?.size, `payments answered for ${key}`).to.equal(1);
    expect([...refused.counts]).to.deep.equal([['FAILED_PRECONDITION/IDEMPOTENCY_KEY_REUSED', 5]]);

    const rows = await h.database.sequelize.query<{ key: string; count: string; ids: string[] }>(
      `SELECT idempotency_key AS key, count(*) AS count, array_agg(id::text) AS ids FROM payments WHERE student_id = $1 GROUP BY idempotency_key ORDER BY 1`,
      { bind: [studentId], type: QueryTypes.SELECT },
    );
    expect(rows.map((r) => [r.key, r.count])).to.deep.equal([...keys].sort().map((key) => [key, '1']));
    for (const row of rows) expect([...idsByKey.get(row.key)!]).to.deep.equal(row.ids);
    await expectLedgerInvariants(h.database.sequelize);
    await expectStatementsConsistent(h, h.database.sequelize, { studentId, schoolId });
  });
});
