import { expect } from 'chai';
import { billing } from '../support/billing.js';

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return { reason: (error as { reason?: string }).reason, field: (error as { field?: string }).field };
  }
  return { reason: 'no error' };
};

describe('students (use cases)', () => {
  it('keep external refs unique per school', async () => {
    const { given } = billing();
    const school = await given.school();
    await given.student(school.id, { externalRef: 'S-1' });

    expect(await failure(given.student(school.id, { externalRef: 'S-1' }))).to.deep.equal({
      reason: 'STUDENT_EXTERNAL_REF_TAKEN',
      field: 'external_ref',
    });
    expect((await given.student(undefined, { externalRef: 'S-1' })).externalRef).to.equal('S-1');
  });

  it('need an existing school', async () => {
    const { given } = billing();

    expect(await failure(given.student('00000000-0000-4000-8000-0000000000ff' as never))).to.deep.equal({
      reason: 'SCHOOL_NOT_FOUND',
      field: 'school_id',
    });
  });

  describe('transfer', () => {
    it('moves a settled student to a school of the same currency; history stays behind', async () => {
      const { given, useCases } = billing();
      const student = await given.student();
      const target = await given.school({ name: 'South High' });
      const invoice = await given.invoice(student.id, 100n, '2026-04-01');
      await given.pay(student.id, 100n);

      const moved = await useCases.updateStudent.execute({ id: student.id, schoolId: target.id, status: 'ACTIVE' });

      expect(moved.schoolId).to.equal(target.id);
      expect((await useCases.getInvoice.execute(invoice.id)).schoolId).to.equal(student.schoolId);
      const statement = (await useCases.getStudentStatement.execute(student.id)).value;
      expect(statement.invoices).to.deep.equal([]);
      expect(statement.currencyCode).to.equal('USD');
    });

    it('is refused to another currency', async () => {
      const { given, useCases } = billing();
      const student = await given.student();
      const euros = await given.school({ currencyCode: 'EUR' });

      expect(await failure(useCases.updateStudent.execute({ id: student.id, schoolId: euros.id }))).to.deep.equal({
        reason: 'TRANSFER_CURRENCY_MISMATCH',
        field: 'school_id',
      });
    });

    it('is refused while something is owed or credit is left', async () => {
      const { given, useCases } = billing();
      const owing = await given.student();
      const inCredit = await given.student(owing.schoolId);
      const target = await given.school();
      await given.invoice(owing.id, 100n, '2026-04-01');
      await given.pay(inCredit.id, 5n);

      for (const student of [owing, inCredit]) {
        expect(await failure(useCases.updateStudent.execute({ id: student.id, schoolId: target.id }))).to.deep.equal({
          reason: 'TRANSFER_ACCOUNT_NOT_SETTLED',
          field: 'school_id',
        });
        expect((await useCases.getStudent.execute(student.id)).schoolId).to.equal(owing.schoolId);
      }
    });

    it('is NOT_FOUND to an unknown school', async () => {
      const { given, useCases } = billing();
      const student = await given.student();

      expect(
        await failure(useCases.updateStudent.execute({ id: student.id, schoolId: '00000000-0000-4000-8000-0000000000ff' as never })),
      ).to.deep.equal({ reason: 'SCHOOL_NOT_FOUND', field: 'school_id' });
    });
  });

  it('update their profile; empty optional fields clear them', async () => {
    const { given, useCases } = billing();
    const student = await given.student(undefined, { externalRef: 'S-9' });

    const updated = await useCases.updateStudent.execute({ id: student.id, lastName: 'Byron', externalRef: '', status: 'GRADUATED' });

    expect(updated).to.include({ firstName: 'Ada', lastName: 'Byron', externalRef: null, status: 'GRADUATED' });
  });

  it('cannot be deleted once they have an invoice or payment', async () => {
    const { given, useCases } = billing();
    const billed = await given.student();
    const fresh = await given.student(billed.schoolId);
    await given.pay(billed.id, 10n);

    expect((await failure(useCases.deleteStudent.execute(billed.id))).reason).to.equal('STUDENT_HAS_FINANCIAL_RECORDS');
    await useCases.deleteStudent.execute(fresh.id);
    expect((await failure(useCases.getStudent.execute(fresh.id))).reason).to.equal('STUDENT_NOT_FOUND');
  });
});

describe('schools (use cases)', () => {
  it('validate currency and timezone', async () => {
    const { given } = billing();

    expect(await failure(given.school({ currencyCode: 'usd' }))).to.deep.equal({ reason: 'INVALID_CURRENCY', field: 'currency_code' });
    expect(await failure(given.school({ timezone: '+02:00' }))).to.deep.equal({ reason: 'INVALID_TIMEZONE', field: 'timezone' });
  });

  it('can be renamed and moved to another timezone', async () => {
    const { given, useCases } = billing();
    const school = await given.school();

    const updated = await useCases.updateSchool.execute({ id: school.id, name: 'North Academy', timezone: 'Europe/Paris' });

    expect(updated).to.include({ name: 'North Academy', timezone: 'Europe/Paris', currencyCode: 'USD' });
  });

  it('cannot be deleted while students are enrolled', async () => {
    const { given, useCases } = billing();
    const busy = await given.school();
    const empty = await given.school();
    await given.student(busy.id);

    expect((await failure(useCases.deleteSchool.execute(busy.id))).reason).to.equal('SCHOOL_HAS_DEPENDENTS');
    expect((await useCases.deleteSchool.execute(empty.id)).id).to.equal(empty.id);
    expect((await failure(useCases.getSchool.execute(empty.id))).reason).to.equal('SCHOOL_NOT_FOUND');
  });

  it('cannot be deleted while they hold the history of a transferred student', async () => {
    const { given, useCases } = billing();
    const student = await given.student();
    const target = await given.school();
    await given.invoice(student.id, 10n, '2026-04-01');
    await given.pay(student.id, 10n);
    await useCases.updateStudent.execute({ id: student.id, schoolId: target.id });

    expect((await failure(useCases.deleteSchool.execute(student.schoolId))).reason).to.equal('SCHOOL_HAS_DEPENDENTS');
  });
});
