import { Code } from '@connectrpc/connect';
import { expect } from 'chai';
import { InvoiceStatus } from '../../src/gen/billing/v1/invoice_pb.js';
import { PaymentMethod, PaymentStatus } from '../../src/gen/billing/v1/payment_pb.js';
import { StudentStatus } from '../../src/gen/billing/v1/student_pb.js';
import { type GrpcHarness, describeEachBackend, expectError, given } from '../support/grpc-harness.js';

const UNKNOWN = '0b6a5f0e-1c1d-4e8e-9a53-6f0f3f5d1a22';

// Today is 2026-03-10 at the (UTC) school.
describeEachBackend('gRPC StatementService', (backend) => {
  let h: GrpcHarness;
  backend.useHarness((started) => (h = started));
  let schoolId: string;
  beforeEach(async () => {
    schoolId = (await given(h).school()).id;
  });

  it('returns a student statement with totals, counts, aging and every line', async () => {
    const student = await given(h).student(schoolId);
    const overdue = await given(h).invoice(student.id, 1000n, '2026-02-01', { issueDate: '2026-01-15' }); // 37 days late
    const current = await given(h).invoice(student.id, 500n, '2026-04-01');
    const voided = await given(h).invoice(student.id, 70n, '2026-04-01');
    await h.invoices.deleteInvoice({ id: voided.id });
    const payment = await given(h).pay(student.id, 400n);

    const { statement } = await h.statements.getStudentStatement({ studentId: student.id });
    expect(statement!.student).to.deep.equal(student);
    expect(statement).to.include({ currencyCode: 'USD', asOfDate: '2026-03-10' });
    expect(statement!.generatedAt!.seconds).to.equal(BigInt(Date.parse('2026-03-10T12:00:00Z') / 1000));
    expect(statement!.totals).to.include({
      invoicedMinor: 1500n,
      appliedMinor: 400n,
      outstandingMinor: 1100n,
      receivedMinor: 400n,
      creditMinor: 0n,
      netBalanceMinor: 1100n,
      overdueMinor: 600n,
      invoiceCount: 3n,
      unpaidCount: 1n,
      partiallyPaidCount: 1n,
      paidCount: 0n,
      voidCount: 1n,
      overdueCount: 1n,
    });
    expect(statement!.totals!.aging).to.include({ currentMinor: 500n, days130Minor: 0n, days3160Minor: 600n, days6190Minor: 0n, daysOver90Minor: 0n });
    expect(statement!.invoices.map((l) => [l.invoiceId, l.status, l.outstandingMinor, l.overdue, l.daysOverdue])).to.deep.equal([
      [overdue.id, InvoiceStatus.PARTIALLY_PAID, 600n, true, 37],
      [current.id, InvoiceStatus.UNPAID, 500n, false, 0],
      [voided.id, InvoiceStatus.VOID, 0n, false, 0],
    ]);
    expect(statement!.invoices[0]).to.include({ number: overdue.number, description: 'Tuition', issueDate: '2026-01-15', dueDate: '2026-02-01', amountMinor: 1000n, appliedMinor: 400n });
    expect(statement!.payments).to.have.length(1);
    expect(statement!.payments[0]).to.include({
      paymentId: payment.id,
      method: PaymentMethod.CASH,
      amountMinor: 400n,
      appliedMinor: 400n,
      unappliedMinor: 0n,
      status: PaymentStatus.COMPLETED,
    });
    expect(statement!.payments[0]!.paidAt).to.deep.equal(payment.paidAt);
  });

  it('returns a school statement whose rows page and sum to totals that cover the whole school', async () => {
    const owing: string[] = [];
    for (const amount of [300n, 100n, 200n]) {
      const student = await given(h).student(schoolId, { firstName: `Owes${amount}` });
      await given(h).invoice(student.id, amount, '2026-04-01');
      owing.push(student.id);
    }
    const settled = await h.students.createStudent({ schoolId, firstName: 'Zed', lastName: 'Z', status: StudentStatus.GRADUATED });

    const first = await h.statements.getSchoolStatement({ schoolId, pageSize: 2 });
    const statement = first.statement!;
    expect(statement.school!.id).to.equal(schoolId);
    expect(statement).to.include({
      currencyCode: 'USD',
      asOfDate: '2026-03-10',
      studentCount: 4n,
      activeStudentCount: 3n,
      studentsWithBalanceCount: 3n,
      studentsOverdueCount: 0n,
    });
    expect(statement.totals).to.include({ invoicedMinor: 600n, outstandingMinor: 600n, invoiceCount: 3n });
    expect(statement.rows.map((r) => [r.name, r.outstandingMinor])).to.deep.equal([
      ['Owes300 Lovelace', 300n],
      ['Owes200 Lovelace', 200n],
    ]);
    expect(first.nextPageToken).to.not.equal('');

    const second = await h.statements.getSchoolStatement({ schoolId, pageSize: 2, pageToken: first.nextPageToken });
    expect(second.nextPageToken).to.equal('');
    expect(second.statement!.totals).to.deep.equal(statement.totals);
    const rows = [...statement.rows, ...second.statement!.rows];
    expect(rows.map((r) => r.studentId).sort()).to.deep.equal([...owing, settled.student!.id].sort());
    expect(rows.reduce((sum, r) => sum + r.outstandingMinor, 0n)).to.equal(statement.totals!.outstandingMinor);
    expect(rows.find((r) => r.studentId === settled.student!.id)!.status).to.equal(StudentStatus.GRADUATED);
  });

  describe('rejects, changing nothing', () => {
    const cases: [string, () => Promise<unknown>, Code, string, string | null][] = [
      ['an unknown student', () => h.statements.getStudentStatement({ studentId: UNKNOWN }), Code.NotFound, 'STUDENT_NOT_FOUND', 'student_id'],
      ['a bad student UUID', () => h.statements.getStudentStatement({ studentId: 'x' }), Code.InvalidArgument, 'INVALID_UUID', 'student_id'],
      ['no student', () => h.statements.getStudentStatement({}), Code.InvalidArgument, 'FIELD_REQUIRED', 'student_id'],
      ['an unknown school', () => h.statements.getSchoolStatement({ schoolId: UNKNOWN }), Code.NotFound, 'SCHOOL_NOT_FOUND', 'school_id'],
      ['a bad school UUID', () => h.statements.getSchoolStatement({ schoolId: 'x' }), Code.InvalidArgument, 'INVALID_UUID', 'school_id'],
      ['a negative page size', () => h.statements.getSchoolStatement({ schoolId, pageSize: -3 }), Code.InvalidArgument, 'INVALID_PAGE_SIZE', 'page_size'],
      ['a forged page token', () => h.statements.getSchoolStatement({ schoolId, pageToken: 'forged' }), Code.InvalidArgument, 'INVALID_PAGE_TOKEN', 'page_token'],
    ];
    for (const [name, call, code, reason, field] of cases) {
      it(`${name}: ${Code[code]} ${reason}`, async () => {
        const before = await h.snapshot();
        await expectError(call(), { code, reason, field });
        expect(await h.snapshot()).to.equal(before);
      });
    }
  });
});
