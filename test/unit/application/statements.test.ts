import { expect } from 'chai';
import { billing } from '../support/billing.js';

describe('statements (use cases)', () => {
  it('total a student account as of today at the school', async () => {
    const { given, useCases, clock } = billing('2026-03-10T12:00:00Z');
    const student = await given.student();
    await given.invoice(student.id, 100n, '2026-03-10', { issueDate: '2026-01-01' });
    await given.invoice(student.id, 200n, '2026-01-15', { issueDate: '2026-01-01' });
    const voided = await given.invoice(student.id, 999n, '2026-02-01', { issueDate: '2026-01-01' });
    await useCases.voidInvoice.execute({ id: voided.id, releaseAllocations: false });
    await given.pay(student.id, 150n);

    const onDueDate = (await useCases.getStudentStatement.execute(student.id)).value;
    clock.advanceDays(1);
    const dayAfter = (await useCases.getStudentStatement.execute(student.id)).value;

    expect(onDueDate.asOfDate).to.equal('2026-03-10');
    expect(onDueDate.totals).to.deep.include({
      invoicedMinor: 300n,
      appliedMinor: 150n,
      outstandingMinor: 150n,
      receivedMinor: 150n,
      creditMinor: 0n,
      netBalanceMinor: 150n,
      overdueMinor: 50n,
      invoiceCount: 3n,
      unpaidCount: 1n,
      partiallyPaidCount: 1n,
      paidCount: 0n,
      voidCount: 1n,
      overdueCount: 1n,
    });
    // The January invoice is 54 days late; the March one is due today.
    expect(onDueDate.totals.aging).to.deep.equal({
      currentMinor: 100n,
      days1To30Minor: 0n,
      days31To60Minor: 50n,
      days61To90Minor: 0n,
      daysOver90Minor: 0n,
    });
    expect(onDueDate.invoices.map((line) => [line.dueDate, line.status, line.overdue, line.daysOverdue])).to.deep.equal([
      ['2026-01-15', 'PARTIALLY_PAID', true, 54],
      ['2026-02-01', 'VOID', false, 0],
      ['2026-03-10', 'UNPAID', false, 0],
    ]);
    expect(dayAfter.totals).to.deep.include({ overdueMinor: 150n, overdueCount: 2n });
    expect(dayAfter.totals.aging.days1To30Minor).to.equal(100n);
  });

  it('list payments newest first with what each applied', async () => {
    const { given, useCases } = billing();
    const student = await given.student();
    await given.invoice(student.id, 100n, '2026-04-01');
    const older = await given.pay(student.id, 80n, { paidAt: new Date('2026-03-01T00:00:00Z') });
    const newer = await given.pay(student.id, 50n, { paidAt: new Date('2026-03-05T00:00:00Z') });

    const statement = (await useCases.getStudentStatement.execute(student.id)).value;

    expect(statement.payments.map((p) => [p.paymentId, p.appliedMinor, p.unappliedMinor])).to.deep.equal([
      [newer.id, 20n, 30n],
      [older.id, 80n, 0n],
    ]);
    expect(statement.totals).to.deep.include({ receivedMinor: 130n, creditMinor: 30n, netBalanceMinor: -30n });
  });

  it('give a school one row per student, former students included, rows summing to the totals', async () => {
    const { given, useCases } = billing();
    const school = await given.school();
    const owing = await given.student(school.id);
    const settled = await given.student(school.id);
    const idle = await given.student(school.id);
    await given.invoice(owing.id, 500n, '2026-01-01', { issueDate: '2026-01-01' });
    await given.invoice(settled.id, 300n, '2026-04-01');
    await given.pay(settled.id, 300n);
    await useCases.updateStudent.execute({ id: settled.id, schoolId: (await given.school()).id });

    const first = (await useCases.getSchoolStatement.execute(school.id, { size: 2, token: null })).value;
    const second = (await useCases.getSchoolStatement.execute(school.id, { size: 2, token: first.nextPageToken })).value;

    const rows = [...first.rows, ...second.rows];
    expect(rows.map((r) => r.studentId)).to.deep.equal([owing.id, ...[settled.id, idle.id].sort()]);
    expect(second.nextPageToken).to.equal(null);
    expect(first.totals).to.deep.equal(second.totals);
    expect(first).to.deep.include({ studentCount: 2n, activeStudentCount: 2n, studentsWithBalanceCount: 1n, studentsOverdueCount: 1n });
    for (const key of ['invoicedMinor', 'appliedMinor', 'outstandingMinor', 'creditMinor', 'overdueMinor'] as const) {
      expect(rows.reduce((sum, row) => sum + row[key], 0n), key).to.equal(first.totals[key]);
    }
  });
});
