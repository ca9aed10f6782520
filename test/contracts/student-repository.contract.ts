import { expect } from 'chai';
import type { School } from '../../src/domain/school.js';
import { type HarnessFactory, useHarness } from './harness.js';
import {
  MALFORMED_TOKENS,
  aPayment,
  aSchool,
  aStudent,
  allPages,
  anInvoice,
  at,
  expectDomainError,
  ids,
  sortedIds,
} from './fixtures.js';

export function studentRepositoryContract(factory: HarnessFactory): void {
  describe('StudentRepository contract', () => {
    const harness = useHarness(factory);
    const repos = () => harness.get().repositories;
    const students = () => repos().students;
    const newSchool = async (overrides: Partial<School> = {}) => {
      const school = aSchool(overrides);
      await repos().schools.insert(school);
      return school;
    };

    it('finds an inserted student exactly as it was written', async () => {
      const school = await newSchool();
      const full = aStudent(school, { email: 'ada@example.org', externalRef: 'EXT-1', status: 'GRADUATED', createdAt: at(5), updatedAt: at(6) });
      const bare = aStudent(school);
      await students().insert(full);
      await students().insert(bare);
      expect(await students().findById(full.id)).to.deep.equal(full);
      expect(await students().findById(bare.id)).to.deep.equal(bare);
      expect(await students().findById(aStudent(school).id)).to.equal(null);
    });

    it('refuses a student of an unknown school with SCHOOL_NOT_FOUND', async () => {
      await expectDomainError(students().insert(aStudent(aSchool())), 'SCHOOL_NOT_FOUND', 'school_id');
    });

    it('keeps external refs unique per school', async () => {
      const [school, other] = [await newSchool(), await newSchool()];
      await students().insert(aStudent(school, { externalRef: 'R-1' }));
      await expectDomainError(students().insert(aStudent(school, { externalRef: 'R-1' })), 'STUDENT_EXTERNAL_REF_TAKEN', 'external_ref');
      await students().insert(aStudent(other, { externalRef: 'R-1' }));
      // Any number of students without a ref.
      await students().insert(aStudent(school));
      await students().insert(aStudent(school));
    });

    it('refuses an update to an external ref another student of the school holds', async () => {
      const school = await newSchool();
      const [a, b] = [aStudent(school, { externalRef: 'A' }), aStudent(school, { externalRef: 'B' })];
      await students().insert(a);
      await students().insert(b);
      await expectDomainError(students().update({ ...b, externalRef: 'A' }), 'STUDENT_EXTERNAL_REF_TAKEN', 'external_ref');
      expect(await students().findById(b.id)).to.deep.equal(b);
    });

    it('refuses a transfer to an unknown school with SCHOOL_NOT_FOUND', async () => {
      const school = await newSchool();
      const student = aStudent(school);
      await students().insert(student);
      await expectDomainError(students().update({ ...student, schoolId: aSchool().id }), 'SCHOOL_NOT_FOUND', 'school_id');
    });

    it('updates every profile field and the school', async () => {
      const [school, other] = [await newSchool(), await newSchool()];
      const student = aStudent(school, { email: 'old@example.org', externalRef: 'X' });
      await students().insert(student);
      const revised = {
        ...student,
        schoolId: other.id,
        firstName: 'Grace',
        lastName: 'Hopper',
        email: null,
        externalRef: 'Y',
        status: 'WITHDRAWN' as const,
        updatedAt: at(1000),
      };
      await students().update(revised);
      expect(await students().findById(student.id)).to.deep.equal(revised);
    });

    it('locks and returns the row inside a unit of work, or null', async () => {
      const school = await newSchool();
      const student = aStudent(school);
      await students().insert(student);
      const [locked, missing] = await harness.get().uow.run(async (r) => [await r.students.lock(student.id), await r.students.lock(aStudent(school).id)]);
      expect(locked).to.deep.equal(student);
      expect(missing).to.equal(null);
    });

    it('lists a school’s students in id order, filtered by status, in pages covering each exactly once', async () => {
      const [school, other] = [await newSchool(), await newSchool()];
      const mine = [
        aStudent(school, { status: 'ACTIVE' }),
        aStudent(school, { status: 'INACTIVE' }),
        aStudent(school, { status: 'ACTIVE' }),
        aStudent(school, { status: 'GRADUATED' }),
        aStudent(school, { status: 'ACTIVE' }),
      ];
      for (const student of [...mine, aStudent(other)]) await students().insert(student);
      for (const size of [1, 2, 5, 100]) {
        const all = await allPages(size, (page) => students().list({ schoolId: school.id, status: null }, page));
        expect(ids(all.items)).to.deep.equal(sortedIds(mine));
      }
      const active = await allPages(2, (page) => students().list({ schoolId: school.id, status: 'ACTIVE' }, page));
      expect(ids(active.items)).to.deep.equal(sortedIds(mine.filter((s) => s.status === 'ACTIVE')));
      expect(active.items.find((s) => s.id === mine[0]!.id)).to.deep.equal(mine[0]);
      const none = await students().list({ schoolId: school.id, status: 'WITHDRAWN' }, { size: 10, token: null });
      expect(none).to.deep.equal({ items: [], nextToken: null });
    });

    it('refuses malformed page tokens', async () => {
      const school = await newSchool();
      for (const token of MALFORMED_TOKENS) {
        await expectDomainError(students().list({ schoolId: school.id, status: null }, { size: 10, token }), 'INVALID_PAGE_TOKEN', 'page_token');
      }
    });

    it('deletes a student without financial records', async () => {
      const school = await newSchool();
      const student = aStudent(school);
      await students().insert(student);
      expect(await students().hasFinancialRecords(student.id)).to.equal(false);
      await students().delete(student.id);
      expect(await students().findById(student.id)).to.equal(null);
    });

    it('has financial records with any invoice or payment, at any school', async () => {
      const [school, other] = [await newSchool(), await newSchool()];
      const [invoiced, paid] = [aStudent(school), aStudent(school)];
      await students().insert(invoiced);
      await students().insert(paid);
      await repos().invoices.insert([anInvoice(invoiced, { state: 'VOID' })]);
      await repos().payments.insert([aPayment(paid, { status: 'REVERSED' })]);
      await students().update({ ...invoiced, schoolId: other.id });
      expect(await students().hasFinancialRecords(invoiced.id)).to.equal(true);
      expect(await students().hasFinancialRecords(paid.id)).to.equal(true);
    });

    it('computes the balance at one school: outstanding of issued invoices, credit of completed payments', async () => {
      const [school, other] = [await newSchool(), await newSchool()];
      const student = aStudent(school);
      await students().insert(student);
      expect(await students().balanceAt(student.id, school.id)).to.deep.equal({ outstandingMinor: 0n, creditMinor: 0n });
      await repos().invoices.insert([
        anInvoice(student, { amountMinor: 1_000n, appliedMinor: 400n }),
        anInvoice(student, { amountMinor: 500n }),
        anInvoice(student, { amountMinor: 700n, appliedMinor: 700n }),
        anInvoice(student, { amountMinor: 9_999n, state: 'VOID' }),
        anInvoice({ ...student, schoolId: other.id }, { amountMinor: 123n }),
      ]);
      await repos().payments.insert([
        aPayment(student, { amountMinor: 2_000n, appliedMinor: 1_100n }),
        aPayment(student, { amountMinor: 300n }),
        aPayment(student, { amountMinor: 5_000n, status: 'REVERSED' }),
        aPayment({ ...student, schoolId: other.id }, { amountMinor: 77n }),
      ]);
      expect(await students().balanceAt(student.id, school.id)).to.deep.equal({ outstandingMinor: 1_100n, creditMinor: 1_200n });
      expect(await students().balanceAt(student.id, other.id)).to.deep.equal({ outstandingMinor: 123n, creditMinor: 77n });
    });
  });
}
