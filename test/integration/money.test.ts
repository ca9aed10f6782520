import { expect } from 'chai';
import { date } from '../contracts/fixtures.js';
import { SequelizeStatementReader } from '../../src/infrastructure/postgres/statement-reader.js';
import { sequelizeRepositories } from '../../src/infrastructure/postgres/repositories.js';
import { aPayment, aSchool, aStudent, anInvoice } from '../contracts/fixtures.js';
import { type TestDatabase, createTestDatabase } from '../support/test-database.js';

const MAX = 1_000_000_000_000n;
// 9008 × 10^12 + 1 = 9_008_000_000_000_001 > 2^53, and odd: no double can hold it.
const COUNT = 9_008;
const HUGE = BigInt(COUNT) * MAX + 1n;

describe('money is exact end to end', () => {
  let db: TestDatabase;
  const repos = () => sequelizeRepositories(db.sequelize);

  before(async () => {
    db = await createTestDatabase();
  });

  after(async () => {
    await db.drop();
  });

  it('round-trips the largest amounts', async () => {
    const school = aSchool();
    await repos().schools.insert(school);
    const student = aStudent(school);
    await repos().students.insert(student);
    const invoice = anInvoice(student, { amountMinor: MAX, appliedMinor: MAX - 1n });
    const payment = aPayment(student, { amountMinor: MAX, appliedMinor: MAX - 1n });
    await repos().invoices.insert([invoice]);
    await repos().payments.insert([payment]);
    expect((await repos().invoices.findById(invoice.id))?.amountMinor).to.equal(MAX);
    expect((await repos().invoices.findById(invoice.id))?.appliedMinor).to.equal(MAX - 1n);
    expect((await repos().payments.findById(payment.id))?.amountMinor).to.equal(MAX);
    expect(await repos().students.balanceAt(student.id, school.id)).to.deep.equal({ outstandingMinor: 1n, creditMinor: 1n });
  });

  it('sums beyond 2^53 exactly, in balances and statements', async function () {
    this.timeout(60_000);
    expect(HUGE > 2n ** 53n).to.equal(true);
    expect(BigInt(Number(HUGE))).not.to.equal(HUGE);
    const school = aSchool({ timezone: 'UTC' });
    await repos().schools.insert(school);
    const [debtor, creditor] = [aStudent(school), aStudent(school)];
    await repos().students.insert(debtor);
    await repos().students.insert(creditor);
    const invoices = Array.from({ length: COUNT }, () => anInvoice(debtor, { amountMinor: MAX, dueDate: date('2026-12-31') }));
    invoices.push(anInvoice(debtor, { amountMinor: 1n, dueDate: date('2026-12-31') }));
    const payments = Array.from({ length: COUNT }, () => aPayment(creditor, { amountMinor: MAX }));
    payments.push(aPayment(creditor, { amountMinor: 1n }));
    await repos().invoices.insert(invoices);
    await repos().payments.insert(payments);

    expect(await repos().students.balanceAt(debtor.id, school.id)).to.deep.equal({ outstandingMinor: HUGE, creditMinor: 0n });
    expect(await repos().students.balanceAt(creditor.id, school.id)).to.deep.equal({ outstandingMinor: 0n, creditMinor: HUGE });

    const account = (await new SequelizeStatementReader(db.sequelize).schoolAccount(school.id, () => date('2026-03-10'), { size: 10, token: null }))!;
    expect(account.totals.invoicedMinor).to.equal(HUGE);
    expect(account.totals.outstandingMinor).to.equal(HUGE);
    expect(account.totals.receivedMinor).to.equal(HUGE);
    expect(account.totals.creditMinor).to.equal(HUGE);
    expect(account.totals.netBalanceMinor).to.equal(0n);
    expect(account.totals.aging.currentMinor).to.equal(HUGE);
    expect(account.totals.invoiceCount).to.equal(BigInt(COUNT + 1));
    expect(account.rows.map((r) => [r.studentId, r.outstandingMinor, r.creditMinor])).to.deep.equal([
      [debtor.id, HUGE, 0n],
      [creditor.id, 0n, HUGE],
    ]);
  });
});
