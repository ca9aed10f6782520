import { expect } from 'chai';
import type { SchoolId } from '../../src/domain/ids.js';
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
} from './fixtures.js';

export function schoolRepositoryContract(factory: HarnessFactory): void {
  describe('SchoolRepository contract', () => {
    const harness = useHarness(factory);
    const schools = () => harness.get().repositories.schools;

    it('finds an inserted school exactly as it was written', async () => {
      const school = aSchool({ name: 'École « Δ » 🎓', currencyCode: 'JPY', timezone: 'Asia/Tokyo', createdAt: at(1), updatedAt: at(2) });
      await schools().insert(school);
      expect(await schools().findById(school.id)).to.deep.equal(school);
    });

    it('returns null for an unknown id', async () => {
      expect(await schools().findById(aSchool().id)).to.equal(null);
    });

    it('finds several by id, skipping unknown ids', async () => {
      const [a, b] = [aSchool(), aSchool()];
      await schools().insert(a);
      await schools().insert(b);
      const found = await schools().findByIds([b.id, aSchool().id, a.id]);
      expect(ids(found).sort()).to.deep.equal([a.id, b.id].sort());
      expect(found.find((s) => s.id === a.id)).to.deep.equal(a);
      expect(await schools().findByIds([])).to.deep.equal([]);
    });

    it('locks and returns the row inside a unit of work, or null', async () => {
      const school = aSchool();
      await schools().insert(school);
      const [locked, missing] = await harness.get().uow.run(async (r) => [await r.schools.lock(school.id), await r.schools.lock(aSchool().id)]);
      expect(locked).to.deep.equal(school);
      expect(missing).to.equal(null);
    });

    it('lists in id order, in pages that cover every school exactly once', async () => {
      for (let i = 0; i < 5; i += 1) await schools().insert(aSchool());
      const everything = await allPages(1000, (page) => schools().list(page));
      const sorted = [...ids(everything.items)].sort();
      expect(ids(everything.items)).to.deep.equal(sorted);
      for (const size of [1, 2, 3]) {
        const paged = await allPages(size, (page) => schools().list(page));
        expect(ids(paged.items)).to.deep.equal(sorted);
        expect(paged.pages).to.equal(Math.max(1, Math.ceil(sorted.length / size)));
      }
    });

    it('refuses malformed page tokens', async () => {
      for (const token of MALFORMED_TOKENS) {
        await expectDomainError(schools().list({ size: 10, token }), 'INVALID_PAGE_TOKEN', 'page_token');
      }
    });

    it('updates the name, timezone and update time', async () => {
      const school = aSchool();
      await schools().insert(school);
      const revised = { ...school, name: 'Renamed', timezone: 'America/Bogota', updatedAt: at(60_000) };
      await schools().update(revised);
      expect(await schools().findById(school.id)).to.deep.equal(revised);
    });

    it('deletes a school without dependents', async () => {
      const school = aSchool();
      await schools().insert(school);
      expect(await schools().hasDependents(school.id)).to.equal(false);
      await schools().delete(school.id);
      expect(await schools().findById(school.id)).to.equal(null);
    });

    it('has dependents while a student is enrolled', async () => {
      const school = aSchool();
      await schools().insert(school);
      await harness.get().repositories.students.insert(aStudent(school));
      expect(await schools().hasDependents(school.id)).to.equal(true);
    });

    it('has dependents while it holds invoices or payments of students enrolled elsewhere', async () => {
      const { students, invoices, payments } = harness.get().repositories;
      const [first, other, second] = [aSchool(), aSchool(), aSchool()];
      for (const school of [first, other, second]) await schools().insert(school);
      const student = aStudent(first);
      await students.insert(student);
      await invoices.insert([anInvoice(student)]);
      const payer = aStudent(second);
      await students.insert(payer);
      await payments.insert([aPayment(payer)]);
      await students.update({ ...student, schoolId: other.id });
      await students.update({ ...payer, schoolId: other.id });
      expect(await schools().hasDependents(first.id)).to.equal(true);
      expect(await schools().hasDependents(second.id)).to.equal(true);
    });

    it('hands out increasing invoice sequences per school', async () => {
      const [a, b] = [aSchool(), aSchool()];
      await schools().insert(a);
      await schools().insert(b);
      const next = (id: SchoolId) => harness.get().uow.run((r) => r.schools.nextInvoiceSequence(id));
      expect([await next(a.id), await next(a.id), await next(b.id), await next(a.id)]).to.deep.equal([1n, 2n, 1n, 3n]);
    });

    it('rolls a sequence back with its unit of work', async () => {
      const school = aSchool();
      await schools().insert(school);
      const boom = new Error('boom');
      try {
        await harness.get().uow.run(async (r) => {
          await r.schools.nextInvoiceSequence(school.id);
          throw boom;
        });
      } catch (error) {
        expect(error).to.equal(boom);
      }
      expect(await harness.get().uow.run((r) => r.schools.nextInvoiceSequence(school.id))).to.equal(1n);
    });
  });
}
