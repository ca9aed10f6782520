import { expect } from 'chai';
import { type GrpcHarness, describeEachBackend, given } from '../support/grpc-harness.js';

const START = BigInt(Date.parse('2026-03-10T12:00:00Z') / 1000);

/** The harness itself: "the snapshot is unchanged" must be able to fail, and tests must not see each other. */
describeEachBackend('gRPC test harness', (backend) => {
  let h: GrpcHarness;
  backend.useHarness((started) => (h = started));

  it('snapshot changes with every kind of write, and not with reads', async () => {
    let last = await h.snapshot();
    const expectChanged = async (write: string) => {
      const now = await h.snapshot();
      expect(now, write).to.not.equal(last);
      last = now;
    };
    const school = await given(h).school();
    await expectChanged('create a school');
    h.clock.advance(1000);
    await h.schools.updateSchool({ id: school.id, name: 'South High' });
    await expectChanged('rename a school');
    const student = await given(h).student(school.id);
    await expectChanged('create a student');
    await h.students.updateStudent({ id: student.id, email: 'ada@example.org' });
    await expectChanged('set an email');
    const invoice = await given(h).invoice(student.id, 500n, '2026-04-01');
    await expectChanged('issue an invoice');
    const payment = await given(h).pay(student.id, 200n);
    await expectChanged('pay, allocating to the invoice');
    await h.payments.deletePayment({ id: payment.id });
    await expectChanged('reverse the payment, releasing its allocation');
    await h.invoices.deleteInvoice({ id: invoice.id });
    await expectChanged('void the invoice');

    await h.schools.getSchool({ id: school.id });
    await h.students.listStudents({ schoolId: school.id });
    await h.invoices.listInvoices({ studentId: student.id });
    await h.payments.getPayment({ id: payment.id });
    await h.statements.getStudentStatement({ studentId: student.id });
    await h.statements.getSchoolStatement({ schoolId: school.id });
    expect(await h.snapshot()).to.equal(last);
  });

  // The next two run in this order: the second checks that the first left nothing behind.
  it('isolates tests (1/2): writes and moves the clock', async () => {
    await given(h).school();
    h.clock.advanceDays(3);
    expect((await h.schools.listSchools({})).schools).to.have.length(1);
  });

  it('isolates tests (2/2): starts with an empty store and the clock at its start', async () => {
    expect((await h.schools.listSchools({})).schools).to.deep.equal([]);
    expect((await given(h).school()).createdAt!.seconds).to.equal(START);
    expect(h.internalErrors).to.deep.equal([]);
  });
});
