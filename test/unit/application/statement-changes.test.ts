import { expect } from 'chai';
import { billing } from '../support/billing.js';

/** Every write declares exactly the statements it changes, so their versions move (SPEC §5 triggers). */
describe('statements changed by each write (use cases over fakes)', () => {
  async function setup() {
    const b = billing();
    const school = await b.given.school();
    const other = await b.given.school({ name: 'South High' });
    const student = await b.given.student(school.id);
    const invoice = await b.given.invoice(student.id, 100n, '2026-04-01');
    const lastChange = () => b.uow.committed.at(-1);
    return { ...b, school, other, student, invoice, lastChange };
  }

  it('money writes change the student and the school that issued the rows', async () => {
    const { useCases, given, student, school, invoice, lastChange } = await setup();
    const both = { studentIds: [student.id], schoolIds: [school.id] };

    expect(lastChange(), 'create invoice').to.deep.equal(both);
    const payment = await given.pay(student.id, 40n);
    expect(lastChange(), 'create payment').to.deep.equal(both);
    await useCases.updateInvoice.execute({ id: invoice.id, description: 'Fees' });
    expect(lastChange(), 'update invoice').to.deep.equal(both);
    await useCases.reversePayment.execute(payment.id);
    expect(lastChange(), 'reverse payment').to.deep.equal(both);
    await useCases.voidInvoice.execute({ id: invoice.id, releaseAllocations: false });
    expect(lastChange(), 'void invoice').to.deep.equal(both);
  });

  it('a write that changes nothing changes no statement', async () => {
    const { useCases, invoice, uow } = await setup();
    await useCases.voidInvoice.execute({ id: invoice.id, releaseAllocations: false });
    const before = uow.committed.length;

    await useCases.voidInvoice.execute({ id: invoice.id, releaseAllocations: false });

    expect(uow.committed.length).to.equal(before);
  });

  it('a transfer changes the student and both schools', async () => {
    const { useCases, given, student, school, other, invoice, lastChange } = await setup();
    await given.pay(student.id, invoice.amountMinor);

    await useCases.updateStudent.execute({ id: student.id, schoolId: other.id });

    expect(lastChange()).to.deep.equal({ studentIds: [student.id], schoolIds: [school.id, other.id].sort() });
  });

  it('a rename or status change reaches every school holding the student\'s account; an email change only the student', async () => {
    const { useCases, given, student, school, other, invoice, lastChange } = await setup();
    await given.pay(student.id, invoice.amountMinor);
    await useCases.updateStudent.execute({ id: student.id, schoolId: other.id });

    await useCases.updateStudent.execute({ id: student.id, lastName: 'Byron' });
    expect(lastChange(), 'rename').to.deep.equal({ studentIds: [student.id], schoolIds: [school.id, other.id].sort() });
    await useCases.updateStudent.execute({ id: student.id, status: 'GRADUATED' });
    expect(lastChange(), 'status').to.deep.equal({ studentIds: [student.id], schoolIds: [school.id, other.id].sort() });
    await useCases.updateStudent.execute({ id: student.id, email: 'ada@example.org' });
    expect(lastChange(), 'email').to.deep.equal({ studentIds: [student.id], schoolIds: [] });
  });

  it('enrolment, deletion and school edits change the school statement', async () => {
    const { useCases, given, school, lastChange } = await setup();

    const fresh = await given.student(school.id);
    expect(lastChange(), 'enrol').to.deep.equal({ studentIds: [], schoolIds: [school.id] });
    await useCases.deleteStudent.execute(fresh.id);
    expect(lastChange(), 'delete').to.deep.equal({ studentIds: [fresh.id], schoolIds: [school.id] });
    await useCases.updateSchool.execute({ id: school.id, timezone: 'Europe/Paris' });
    expect(lastChange(), 'school edit').to.deep.equal({ studentIds: [], schoolIds: [school.id] });
  });
});
