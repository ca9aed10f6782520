import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { CreateInvoice } from '../../src/application/invoice/create-invoice.js';
import { UpdateInvoice } from '../../src/application/invoice/update-invoice.js';
import { VoidInvoice } from '../../src/application/invoice/void-invoice.js';
import { CreatePayment } from '../../src/application/payment/create-payment.js';
import { ReversePayment } from '../../src/application/payment/reverse-payment.js';
import { DomainError } from '../../src/domain/errors.js';
import type { InvoiceId, PaymentId } from '../../src/domain/ids.js';
import { sequelizeRepositories } from '../../src/infrastructure/postgres/repositories.js';
import { SequelizeUnitOfWork } from '../../src/infrastructure/postgres/unit-of-work.js';
import { aSchool, aStudent, date } from '../contracts/fixtures.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

/**
 * The real use cases over the PostgreSQL adapters, many at once for one
 * student: the student row lock must keep every stored figure consistent.
 */
describe('concurrent money writes for one student (use cases over PostgreSQL)', () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ poolMax: 20 });
  });

  after(async () => {
    await db.drop();
  });

  it('never over-applies, keeps applied = Σ active allocations, and leaves no idle credit', async function () {
    this.timeout(60_000);
    const clock = { now: () => new Date() };
    const ids = { newId: () => randomUUID() };
    const uow = new SequelizeUnitOfWork(db.sequelize);
    const repos = sequelizeRepositories(db.sequelize);
    const school = aSchool({ timezone: 'UTC' });
    await repos.schools.insert(school);
    const student = aStudent(school);
    await repos.students.insert(student);
    const createInvoice = new CreateInvoice(uow, clock, ids);
    const createPayment = new CreatePayment(uow, clock, ids);
    const reversePayment = new ReversePayment(uow, clock, ids);
    const voidInvoice = new VoidInvoice(uow, clock, ids);
    const updateInvoice = new UpdateInvoice(uow, clock, ids);

    const invoiceIds: InvoiceId[] = [];
    for (let i = 0; i < 6; i += 1) {
      const invoice = await createInvoice.execute({
        studentId: student.id,
        description: `Term ${i}`,
        amountMinor: 10_000n + BigInt(i),
        issueDate: date('2026-01-01'),
        dueDate: date(`2026-0${1 + (i % 6)}-15`),
        idempotencyKey: null,
      });
      invoiceIds.push(invoice.id);
    }
    const paymentIds: PaymentId[] = [];
    const pay = (amount: bigint, key: string | null = null) =>
      createPayment
        .execute({ studentId: student.id, amountMinor: amount, paidAt: null, method: 'CASH', reference: '', allocations: [], idempotencyKey: key })
        .then((payment) => {
          paymentIds.push(payment.id);
          return payment;
        });
    await Promise.all([pay(7_000n), pay(13_000n), pay(2_500n)]);

    const tolerate = (promise: Promise<unknown>) =>
      promise.catch((error: unknown) => {
        // Business refusals are fine under contention; anything else is not.
        if (!(error instanceof DomainError) || error.category !== 'failed_precondition') throw error;
      });
    const duplicates = Array.from({ length: 5 }, () => pay(4_444n, 'same-key'));
    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => pay(BigInt(500 + i * 977))),
      ...duplicates,
      tolerate(reversePayment.execute(paymentIds[0]!)),
      tolerate(reversePayment.execute(paymentIds[1]!)),
      tolerate(voidInvoice.execute({ id: invoiceIds[0]!, releaseAllocations: true })),
      tolerate(voidInvoice.execute({ id: invoiceIds[3]!, releaseAllocations: true })),
      tolerate(updateInvoice.execute({ id: invoiceIds[4]!, amountMinor: 25_000n })),
      tolerate(updateInvoice.execute({ id: invoiceIds[5]!, amountMinor: 5_000n })),
      ...Array.from({ length: 4 }, (_, i) =>
        createInvoice.execute({
          studentId: student.id,
          description: `Extra ${i}`,
          amountMinor: 3_333n,
          issueDate: null,
          dueDate: date('2026-12-31'),
          idempotencyKey: null,
        }),
      ),
    ]);

    const same = await Promise.all(duplicates);
    expect(new Set(same.map((p) => p.id)).size).to.equal(1);

    const query = <T extends object>(sql: string) => db.sequelize.query<T>(sql, { type: QueryTypes.SELECT, bind: { student: student.id } });
    const invoiceMismatch = await query(`
      SELECT i.id FROM invoices i
        LEFT JOIN allocations a ON a.invoice_id = i.id AND a.released_at IS NULL
       WHERE i.student_id = $student
       GROUP BY i.id, i.applied_minor HAVING i.applied_minor <> COALESCE(SUM(a.amount_minor), 0)`);
    expect(invoiceMismatch).to.deep.equal([]);
    const paymentMismatch = await query(`
      SELECT p.id FROM payments p
        LEFT JOIN allocations a ON a.payment_id = p.id AND a.released_at IS NULL
       WHERE p.student_id = $student
       GROUP BY p.id, p.applied_minor, p.amount_minor
      HAVING p.applied_minor <> COALESCE(SUM(a.amount_minor), 0) OR COALESCE(SUM(a.amount_minor), 0) > p.amount_minor`);
    expect(paymentMismatch).to.deep.equal([]);
    const [idle] = await query<{ open: boolean; credit: boolean }>(`
      SELECT EXISTS (SELECT 1 FROM invoices WHERE student_id = $student AND state = 'ISSUED' AND applied_minor < amount_minor) AS open,
             EXISTS (SELECT 1 FROM payments WHERE student_id = $student AND status = 'COMPLETED' AND applied_minor < amount_minor) AS credit`);
    expect(idle!.open && idle!.credit, 'credit beside an open invoice').to.equal(false);
    const [balanced] = await query<{ invoices: string; payments: string }>(`
      SELECT (SELECT SUM(applied_minor) FROM invoices WHERE student_id = $student)::text AS invoices,
             (SELECT SUM(applied_minor) FROM payments WHERE student_id = $student)::text AS payments`);
    expect(balanced!.invoices).to.equal(balanced!.payments);
    const [keyed] = await query<{ count: string }>(`SELECT COUNT(*)::text AS count FROM payments WHERE student_id = $student AND idempotency_key = 'same-key'`);
    expect(keyed!.count).to.equal('1');
  });
});
