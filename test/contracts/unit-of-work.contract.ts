import { expect } from 'chai';
import { DomainError } from '../../src/domain/errors.js';
import { type HarnessFactory, useHarness } from './harness.js';
import { aPayment, aSchool, aStudent, anAllocation, anInvoice, expectRejection } from './fixtures.js';

export function unitOfWorkContract(factory: HarnessFactory): void {
  describe('UnitOfWork contract', () => {
    const harness = useHarness(factory);
    const repos = () => harness.get().repositories;

    it('commits the work and returns its result', async () => {
      const school = aSchool();
      const student = aStudent(school);
      const result = await harness.get().uow.run(async (r) => {
        await r.schools.insert(school);
        await r.students.insert(student);
        // The work sees its own writes.
        return (await r.students.findById(student.id))?.id;
      });
      expect(result).to.equal(student.id);
      expect(await repos().students.findById(student.id)).to.deep.equal(student);
    });

    it('rolls everything back when the work throws a DomainError, which propagates unchanged', async () => {
      const school = aSchool();
      await repos().schools.insert(school);
      const student = aStudent(school);
      await repos().students.insert(student);
      const invoice = anInvoice(student, { amountMinor: 100n, appliedMinor: 100n });
      const payment = aPayment(student, { amountMinor: 100n, appliedMinor: 100n });
      const refused = new DomainError('INVOICE_VOID', 'refused', 'id');
      const caught = await expectRejection(
        harness.get().uow.run(async (r) => {
          await r.students.update({ ...student, firstName: 'Changed' });
          await r.invoices.insert([invoice]);
          await r.payments.insert([payment]);
          await r.payments.insertAllocations([anAllocation(payment, invoice, 100n)]);
          await r.schools.nextInvoiceSequence(school.id);
          throw refused;
        }),
      );
      expect(caught).to.equal(refused);
      expect(await repos().students.findById(student.id)).to.deep.equal(student);
      expect(await repos().invoices.findById(invoice.id)).to.equal(null);
      expect(await repos().payments.findById(payment.id)).to.equal(null);
      expect(await repos().payments.activeAllocationsOfInvoice(invoice.id)).to.deep.equal([]);
      expect(await harness.get().uow.run((r) => r.schools.nextInvoiceSequence(school.id))).to.equal(1n);
    });

    it('rolls back when a write inside the work fails', async () => {
      const school = aSchool();
      await repos().schools.insert(school);
      const first = aStudent(school, { externalRef: 'dup' });
      const second = aStudent(school, { externalRef: 'dup' });
      const caught = await expectRejection(
        harness.get().uow.run(async (r) => {
          await r.students.insert(first);
          await r.students.insert(second);
        }),
      );
      expect(caught).to.be.instanceOf(DomainError);
      expect((caught as DomainError).reason).to.equal('STUDENT_EXTERNAL_REF_TAKEN');
      expect(await repos().students.findById(first.id)).to.equal(null);
    });

    it('rolls back on any other error, which propagates unchanged', async () => {
      const school = aSchool();
      const bug = new TypeError('a bug');
      const caught = await expectRejection(
        harness.get().uow.run(async (r) => {
          await r.schools.insert(school);
          throw bug;
        }),
      );
      expect(caught).to.equal(bug);
      expect(await repos().schools.findById(school.id)).to.equal(null);
    });
  });
}
