import { expect } from 'chai';
import { DomainError } from '../../src/domain/errors.js';
import type { Invoice } from '../../src/domain/invoice.js';
import { constraintOf, sqlStateOf } from '../../src/infrastructure/postgres/errors.js';
import { sequelizeRepositories } from '../../src/infrastructure/postgres/repositories.js';
import { aPayment, aSchool, aStudent, anAllocation, anInvoice, at, date, expectRejection } from '../contracts/fixtures.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

/** The database refuses what the domain never writes, even if a bug tried. */
describe('schema guards (CHECK constraints, keys, triggers)', () => {
  let db: TestDatabase;
  const repos = () => sequelizeRepositories(db.sequelize);

  before(async () => {
    db = await createTestDatabase();
  });

  after(async () => {
    await db.drop();
  });

  async function account() {
    const school = aSchool();
    await repos().schools.insert(school);
    const student = aStudent(school);
    await repos().students.insert(student);
    return { school, student };
  }

  /** The write fails on a database constraint (a bug, so not a DomainError). */
  async function expectViolation(write: Promise<unknown>, constraint: string): Promise<void> {
    const error = await expectRejection(write);
    expect(error).not.to.be.instanceOf(DomainError);
    expect(constraintOf(error), String(error)).to.equal(constraint);
  }

  it('refuses to over-apply an invoice, or to un-apply below zero', async () => {
    const { student } = await account();
    const invoice = anInvoice(student, { amountMinor: 1_000n, appliedMinor: 1_000n });
    await repos().invoices.insert([invoice]);
    await expectViolation(repos().invoices.update([{ ...invoice, appliedMinor: 1_001n }]), 'invoices_applied_check');
    await expectViolation(repos().invoices.update([{ ...invoice, appliedMinor: -1n }]), 'invoices_applied_check');
    await expectViolation(repos().invoices.update([{ ...invoice, amountMinor: 999n }]), 'invoices_applied_check');
    await expectViolation(
      db.sequelize.query('UPDATE invoices SET applied_minor = amount_minor + 1 WHERE id = $id', { bind: { id: invoice.id } }),
      'invoices_applied_check',
    );
    expect(await repos().invoices.findById(invoice.id)).to.deep.equal(invoice);
  });

  it('refuses a whole batch when one row would be over-applied', async () => {
    const { student } = await account();
    const rows = [anInvoice(student, { amountMinor: 100n }), anInvoice(student, { amountMinor: 100n })];
    await repos().invoices.insert(rows);
    await expectViolation(
      repos().invoices.update([
        { ...rows[0]!, appliedMinor: 100n },
        { ...rows[1]!, appliedMinor: 101n },
      ]),
      'invoices_applied_check',
    );
    for (const row of rows) expect(await repos().invoices.findById(row.id)).to.deep.equal(row);
  });

  it('refuses a void invoice that keeps applied money', async () => {
    const { student } = await account();
    const invoice = anInvoice(student, { amountMinor: 100n, appliedMinor: 40n });
    await repos().invoices.insert([invoice]);
    await expectViolation(repos().invoices.update([{ ...invoice, state: 'VOID', voidedAt: at(1) }]), 'invoices_void_applied_check');
  });

  it('refuses amounts outside 1..10^12 and a due date before the issue date', async () => {
    const { student } = await account();
    await expectViolation(repos().invoices.insert([anInvoice(student, { amountMinor: 0n })]), 'invoices_amount_check');
    await expectViolation(repos().invoices.insert([anInvoice(student, { amountMinor: 1_000_000_000_001n })]), 'invoices_amount_check');
    await expectViolation(repos().payments.insert([aPayment(student, { amountMinor: 0n })]), 'payments_amount_check');
    await expectViolation(
      repos().invoices.insert([anInvoice(student, { issueDate: date('2026-02-02'), dueDate: date('2026-02-01') })]),
      'invoices_dates_check',
    );
  });

  it('refuses to over-apply a payment, or a reversed payment that keeps applied money', async () => {
    const { student } = await account();
    const payment = aPayment(student, { amountMinor: 500n, appliedMinor: 500n });
    await repos().payments.insert([payment]);
    await expectViolation(repos().payments.update([{ ...payment, appliedMinor: 501n }]), 'payments_applied_check');
    await expectViolation(repos().payments.update([{ ...payment, status: 'REVERSED', reversedAt: at(1) }]), 'payments_reversed_applied_check');
  });

  it('refuses empty allocations and allocations across accounts', async () => {
    const { school, student } = await account();
    const classmate = aStudent(school);
    await repos().students.insert(classmate);
    const [invoice, theirs] = [anInvoice(student), anInvoice(classmate)];
    const payment = aPayment(student);
    await repos().invoices.insert([invoice, theirs]);
    await repos().payments.insert([payment]);
    await expectViolation(repos().payments.insertAllocations([anAllocation(payment, invoice, 0n)]), 'allocations_amount_check');
    await expectViolation(repos().payments.insertAllocations([anAllocation(payment, theirs, 10n)]), 'allocations_invoice_fkey');
  });

  it('never deletes financial rows and never changes a currency', async () => {
    const { school, student } = await account();
    const invoice = anInvoice(student, { amountMinor: 100n, appliedMinor: 100n });
    const payment = aPayment(student, { amountMinor: 100n, appliedMinor: 100n });
    const allocation = anAllocation(payment, invoice, 100n);
    await repos().invoices.insert([invoice]);
    await repos().payments.insert([payment]);
    await repos().payments.insertAllocations([allocation]);
    for (const [table, id] of [['allocations', allocation.id], ['payments', payment.id], ['invoices', invoice.id]] as const) {
      const error = await expectRejection(db.sequelize.query(`DELETE FROM ${table} WHERE id = $id`, { bind: { id } }));
      expect(sqlStateOf(error), table).to.equal('23000');
    }
    expect(await repos().payments.activeAllocationsOfInvoice(invoice.id)).to.deep.equal([allocation]);
    const error = await expectRejection(repos().schools.update({ ...school, currencyCode: 'USD' }));
    expect(sqlStateOf(error)).to.equal('23000');
    expect((await repos().schools.findById(school.id))?.currencyCode).to.equal('EUR');
  });

  it('keeps an invoice’s number and owner even if a caller passes others', async () => {
    const { student } = await account();
    const invoice = anInvoice(student);
    await repos().invoices.insert([invoice]);
    const error = await expectRejection(db.sequelize.query(`UPDATE invoices SET student_id = gen_random_uuid() WHERE id = $id`, { bind: { id: invoice.id } }));
    expect(sqlStateOf(error)).to.equal('23000');
    const stored = (await repos().invoices.findById(invoice.id)) as Invoice;
    expect(stored.studentId).to.equal(student.id);
  });
});
