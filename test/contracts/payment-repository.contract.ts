import { expect } from 'chai';
import type { Payment } from '../../src/domain/payment.js';
import type { Student } from '../../src/domain/student.js';
import { type HarnessFactory, useHarness } from './harness.js';
import {
  MALFORMED_TOKENS,
  aPayment,
  aSchool,
  aStudent,
  allPages,
  anAllocation,
  anInvoice,
  at,
  expectDomainError,
  expectRejection,
  ids,
} from './fixtures.js';

export function paymentRepositoryContract(factory: HarnessFactory): void {
  describe('PaymentRepository contract', () => {
    const harness = useHarness(factory);
    const repos = () => harness.get().repositories;
    const payments = () => repos().payments;

    async function account(): Promise<{ student: Student; elsewhere: Student }> {
      const [school, other] = [aSchool(), aSchool()];
      await repos().schools.insert(school);
      await repos().schools.insert(other);
      const student = aStudent(school);
      await repos().students.insert(student);
      return { student, elsewhere: { ...student, schoolId: other.id } };
    }

    it('inserts several payments in one call and finds each exactly as written', async () => {
      const { student } = await account();
      const rows = [
        aPayment(student, {
          amountMinor: 1_000_000_000_000n,
          appliedMinor: 1n,
          paidAt: new Date('1900-01-01T00:00:00.001Z'),
          method: 'CHECK',
          reference: 'chèque n°1, "quoted" {x}\\',
          idempotencyKey: 'pay-1',
          requestFingerprint: '{"a":1}',
          createdAt: at(1),
          updatedAt: at(2),
        }),
        aPayment(student, { status: 'REVERSED', reversedAt: at(3), reference: '' }),
        aPayment(student, { method: 'CASH' }),
      ];
      await payments().insert(rows);
      for (const row of rows) expect(await payments().findById(row.id)).to.deep.equal(row);
      expect(await payments().findById(aPayment(student).id)).to.equal(null);
      await payments().insert([]);
    });

    it('finds a payment by its student’s idempotency key only', async () => {
      const { student } = await account();
      const other = aStudent({ id: student.schoolId });
      await repos().students.insert(other);
      const keyed = aPayment(student, { idempotencyKey: 'k', requestFingerprint: 'fp' });
      await payments().insert([keyed]);
      expect(await payments().findByIdempotencyKey(student.id, 'k')).to.deep.equal(keyed);
      expect(await payments().findByIdempotencyKey(other.id, 'k')).to.equal(null);
    });

    it('updates only applied, status and their times', async () => {
      const { student } = await account();
      const [payment, untouched] = [aPayment(student, { amountMinor: 900n }), aPayment(student)];
      await payments().insert([payment, untouched]);
      const applied: Payment = { ...payment, appliedMinor: 900n, updatedAt: at(5) };
      await payments().update([applied]);
      expect(await payments().findById(payment.id)).to.deep.equal(applied);
      const reversed: Payment = { ...applied, appliedMinor: 0n, status: 'REVERSED', reversedAt: at(9), updatedAt: at(9) };
      await payments().update([{ ...reversed, amountMinor: 1n, reference: 'changed', method: 'CASH' }]);
      expect(await payments().findById(payment.id)).to.deep.equal(reversed);
      expect(await payments().findById(untouched.id)).to.deep.equal(untouched);
      await payments().update([]);
    });

    it('lists by student across schools and by school, newest first (paid_at, created_at, id)', async () => {
      const { student, elsewhere } = await account();
      const sameInstant = [aPayment(student, { paidAt: at(1000), createdAt: at(5) }), aPayment(student, { paidAt: at(1000), createdAt: at(5) })].sort(
        (a, b) => (a.id < b.id ? 1 : -1),
      );
      const rows = [
        aPayment(student, { paidAt: at(0) }),
        aPayment(student, { paidAt: at(1000), createdAt: at(9) }),
        ...sameInstant,
        aPayment(student, { paidAt: at(5000), status: 'REVERSED' }),
        aPayment(elsewhere, { paidAt: at(3000) }),
      ];
      await payments().insert(rows);
      const [oldest, laterCreated, tieHigh, tieLow, newest, otherSchool] = rows.map((p) => p.id);
      const expected = [newest, otherSchool, laterCreated, tieHigh, tieLow, oldest];
      for (const size of [1, 2, 4, 100]) {
        const listed = await allPages(size, (page) => payments().list({ studentId: student.id, schoolId: null, status: null }, page));
        expect(ids(listed.items)).to.deep.equal(expected);
      }
      const bySchool = await allPages(2, (page) => payments().list({ studentId: null, schoolId: student.schoolId, status: null }, page));
      expect(ids(bySchool.items)).to.deep.equal(expected.filter((id) => id !== otherSchool));
      const reversed = await payments().list({ studentId: student.id, schoolId: null, status: 'REVERSED' }, { size: 10, token: null });
      expect(reversed.items).to.deep.equal([rows[4]]);
      const completed = await allPages(1, (page) => payments().list({ studentId: null, schoolId: student.schoolId, status: 'COMPLETED' }, page));
      expect(ids(completed.items)).to.deep.equal([laterCreated, tieHigh, tieLow, oldest]);
    });

    it('refuses malformed page tokens', async () => {
      const { student } = await account();
      for (const token of MALFORMED_TOKENS) {
        await expectDomainError(
          payments().list({ studentId: student.id, schoolId: null, status: null }, { size: 10, token }),
          'INVALID_PAGE_TOKEN',
          'page_token',
        );
      }
    });

    it('locks the ledger: payments with credit of that student at that school and the named ones, oldest first', async () => {
      const { student, elsewhere } = await account();
      const classmate = aStudent({ id: student.schoolId });
      await repos().students.insert(classmate);
      const rows = {
        creditLate: aPayment(student, { paidAt: at(9000), amountMinor: 100n, appliedMinor: 40n }),
        creditEarly: aPayment(student, { paidAt: at(1000), amountMinor: 100n }),
        spent: aPayment(student, { amountMinor: 100n, appliedMinor: 100n }),
        spentNamed: aPayment(student, { paidAt: at(500), amountMinor: 100n, appliedMinor: 100n }),
        reversed: aPayment(student, { status: 'REVERSED' }),
        reversedNamed: aPayment(student, { paidAt: at(20_000), status: 'REVERSED' }),
        otherSchool: aPayment(elsewhere),
        otherStudent: aPayment(classmate),
      };
      await payments().insert(Object.values(rows));
      const locked = await harness.get().uow.run((r) =>
        r.payments.lockLedger(student.id, student.schoolId, [rows.spentNamed.id, rows.reversedNamed.id, rows.otherSchool.id, rows.otherStudent.id]),
      );
      expect(ids(locked)).to.deep.equal([rows.spentNamed.id, rows.creditEarly.id, rows.creditLate.id, rows.reversedNamed.id]);
      expect(locked[2]).to.deep.equal(rows.creditLate);
    });

    it('stores allocations, lists the active ones by payment and by invoice, and releases them', async () => {
      const { student } = await account();
      const [invoiceA, invoiceB] = [anInvoice(student, { amountMinor: 500n, appliedMinor: 500n }), anInvoice(student, { amountMinor: 800n, appliedMinor: 300n })];
      const [payment, other] = [aPayment(student, { amountMinor: 600n, appliedMinor: 600n }), aPayment(student, { amountMinor: 200n, appliedMinor: 200n })];
      await repos().invoices.insert([invoiceA, invoiceB]);
      await payments().insert([payment, other]);
      const allocations = [
        anAllocation(payment, invoiceA, 500n, { createdAt: at(1) }),
        anAllocation(payment, invoiceB, 100n, { createdAt: at(1) }),
        anAllocation(other, invoiceB, 200n),
      ];
      await payments().insertAllocations(allocations);
      await payments().insertAllocations([]);
      const byId = (ids: readonly string[]) => allocations.filter((a) => ids.includes(a.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
      expect(await payments().activeAllocationsOfPayments([payment.id])).to.deep.equal(byId([allocations[0]!.id, allocations[1]!.id]));
      expect(await payments().activeAllocationsOfPayments([payment.id, other.id])).to.deep.equal(byId(ids(allocations)));
      expect(await payments().activeAllocationsOfPayments([])).to.deep.equal([]);
      expect(await payments().activeAllocationsOfInvoice(invoiceB.id)).to.deep.equal(byId([allocations[1]!.id, allocations[2]!.id]));

      const released = { ...allocations[1]!, releasedAt: at(50) };
      await payments().releaseAllocations([released]);
      await payments().releaseAllocations([]);
      expect(await payments().activeAllocationsOfInvoice(invoiceB.id)).to.deep.equal([allocations[2]]);
      expect(await payments().activeAllocationsOfPayments([payment.id])).to.deep.equal([allocations[0]]);
      // A released allocation cannot be released again.
      await expectRejection(payments().releaseAllocations([released]));
    });
  });
}
