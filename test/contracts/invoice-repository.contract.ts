import { expect } from 'chai';
import type { InvoiceStatus } from '../../src/domain/invoice.js';
import type { Invoice } from '../../src/domain/invoice.js';
import type { Student } from '../../src/domain/student.js';
import { type HarnessFactory, useHarness } from './harness.js';
import { MALFORMED_TOKENS, aSchool, aStudent, allPages, anInvoice, at, date, expectDomainError, ids } from './fixtures.js';

export function invoiceRepositoryContract(factory: HarnessFactory): void {
  describe('InvoiceRepository contract', () => {
    const harness = useHarness(factory);
    const repos = () => harness.get().repositories;
    const invoices = () => repos().invoices;

    /** A student enrolled at a new school, and a second school they can also owe money to. */
    async function account(): Promise<{ student: Student; elsewhere: Student }> {
      const [school, other] = [aSchool(), aSchool()];
      await repos().schools.insert(school);
      await repos().schools.insert(other);
      const student = aStudent(school);
      await repos().students.insert(student);
      return { student, elsewhere: { ...student, schoolId: other.id } };
    }

    it('inserts several invoices in one call and finds each exactly as written', async () => {
      const { student } = await account();
      const rows = [
        anInvoice(student, {
          description: 'Line one\nline "two"\t\\ {braces}, commas',
          amountMinor: 1_000_000_000_000n,
          appliedMinor: 999_999_999_999n,
          issueDate: date('1900-01-01'),
          dueDate: date('2099-12-31'),
          idempotencyKey: 'key with spaces, "quotes" and {braces}',
          requestFingerprint: '{"amount":"1000000000000"}',
          createdAt: at(1),
          updatedAt: at(2),
        }),
        anInvoice(student, { state: 'VOID', voidedAt: at(3) }),
        anInvoice(student, { amountMinor: 1n }),
      ];
      await invoices().insert(rows);
      for (const row of rows) expect(await invoices().findById(row.id)).to.deep.equal(row);
      expect(await invoices().findById(anInvoice(student).id)).to.equal(null);
      const found = await invoices().findByIds([rows[2]!.id, anInvoice(student).id, rows[0]!.id]);
      expect(ids(found).sort()).to.deep.equal([rows[0]!.id, rows[2]!.id].sort());
      expect(await invoices().findByIds([])).to.deep.equal([]);
      await invoices().insert([]);
    });

    it('finds an invoice by its student’s idempotency key only', async () => {
      const { student } = await account();
      const other = aStudent({ id: student.schoolId });
      await repos().students.insert(other);
      const keyed = anInvoice(student, { idempotencyKey: 'k-1', requestFingerprint: 'fp' });
      await invoices().insert([keyed, anInvoice(student)]);
      expect(await invoices().findByIdempotencyKey(student.id, 'k-1')).to.deep.equal(keyed);
      expect(await invoices().findByIdempotencyKey(other.id, 'k-1')).to.equal(null);
      expect(await invoices().findByIdempotencyKey(student.id, 'k-2')).to.equal(null);
    });

    it('updates only the mutable fields', async () => {
      const { student } = await account();
      const invoice = anInvoice(student, { amountMinor: 5_000n });
      const untouched = anInvoice(student);
      await invoices().insert([invoice, untouched]);
      const revised: Invoice = {
        ...invoice,
        description: 'Revised',
        dueDate: date('2026-05-01'),
        amountMinor: 6_000n,
        appliedMinor: 6_000n,
        updatedAt: at(10),
      };
      await invoices().update([revised]);
      expect(await invoices().findById(invoice.id)).to.deep.equal(revised);
      const voided: Invoice = { ...revised, appliedMinor: 0n, state: 'VOID', voidedAt: at(20), updatedAt: at(20) };
      // Immutable fields passed with other values are not written.
      await invoices().update([{ ...voided, number: 'INV-X', issueDate: date('2026-01-01') }]);
      expect(await invoices().findById(invoice.id)).to.deep.equal(voided);
      expect(await invoices().findById(untouched.id)).to.deep.equal(untouched);
    });

    it('updates several invoices in one call', async () => {
      const { student } = await account();
      const rows = [anInvoice(student), anInvoice(student), anInvoice(student)];
      await invoices().insert(rows);
      const revised = rows.map((row, i) => ({ ...row, appliedMinor: BigInt(i * 100), updatedAt: at(i) }));
      await invoices().update(revised);
      for (const row of revised) expect(await invoices().findById(row.id)).to.deep.equal(row);
      await invoices().update([]);
    });

    it('lists by student across schools and by school, in invoice order (numeric sequence, never text)', async () => {
      const { student, elsewhere } = await account();
      // INV-1000000 sorts before INV-999999 as text; the sequence decides.
      const rows = [
        anInvoice(student, { dueDate: date('2026-03-01'), issueDate: date('2026-01-01') }),
        anInvoice(student, { dueDate: date('2026-02-01'), issueDate: date('2026-01-05') }),
        anInvoice(student, { dueDate: date('2026-02-01'), issueDate: date('2026-01-02'), sequence: 1_000_000n }),
        anInvoice(student, { dueDate: date('2026-02-01'), issueDate: date('2026-01-02'), sequence: 999_999n }),
        anInvoice(elsewhere, { dueDate: date('2026-01-15'), issueDate: date('2026-01-01') }),
        anInvoice(student, { dueDate: date('2026-04-01'), state: 'VOID' }),
      ];
      await invoices().insert(rows);
      const [late, second, seqBig, seqSmall, otherSchool, voided] = rows.map((r) => r.id);
      const byStudent = await allPages(100, (page) => invoices().list({ studentId: student.id, schoolId: null, status: null }, page));
      expect(ids(byStudent.items)).to.deep.equal([otherSchool, seqSmall, seqBig, second, late, voided]);
      expect(byStudent.items[0]).to.deep.equal(rows[4]);
      const bySchool = await allPages(100, (page) => invoices().list({ studentId: null, schoolId: student.schoolId, status: null }, page));
      expect(ids(bySchool.items)).to.deep.equal([seqSmall, seqBig, second, late, voided]);
      for (const size of [1, 2, 4]) {
        const paged = await allPages(size, (page) => invoices().list({ studentId: student.id, schoolId: null, status: null }, page));
        expect(ids(paged.items)).to.deep.equal(ids(byStudent.items));
      }
    });

    it('filters by derived status', async () => {
      const { student } = await account();
      const rows = {
        UNPAID: anInvoice(student, { amountMinor: 100n }),
        PARTIALLY_PAID: anInvoice(student, { amountMinor: 100n, appliedMinor: 1n }),
        PAID: anInvoice(student, { amountMinor: 100n, appliedMinor: 100n }),
        VOID: anInvoice(student, { amountMinor: 100n, state: 'VOID' }),
      } satisfies Record<InvoiceStatus, Invoice>;
      await invoices().insert(Object.values(rows));
      for (const status of Object.keys(rows) as InvoiceStatus[]) {
        const listed = await invoices().list({ studentId: student.id, schoolId: null, status }, { size: 10, token: null });
        expect(ids(listed.items), status).to.deep.equal([rows[status].id]);
        const bySchool = await invoices().list({ studentId: null, schoolId: student.schoolId, status }, { size: 10, token: null });
        expect(ids(bySchool.items), status).to.deep.equal([rows[status].id]);
      }
    });

    it('refuses malformed page tokens', async () => {
      const { student } = await account();
      for (const token of MALFORMED_TOKENS) {
        await expectDomainError(
          invoices().list({ studentId: student.id, schoolId: null, status: null }, { size: 10, token }),
          'INVALID_PAGE_TOKEN',
          'page_token',
        );
      }
    });

    it('locks the ledger: open invoices of that student at that school and the named ones, in invoice order', async () => {
      const { student, elsewhere } = await account();
      const classmate = aStudent({ id: student.schoolId });
      await repos().students.insert(classmate);
      const rows = {
        openLate: anInvoice(student, { dueDate: date('2026-06-01'), amountMinor: 100n, appliedMinor: 50n }),
        openEarly: anInvoice(student, { dueDate: date('2026-02-01'), amountMinor: 100n }),
        paid: anInvoice(student, { amountMinor: 100n, appliedMinor: 100n }),
        paidNamed: anInvoice(student, { dueDate: date('2026-01-20'), amountMinor: 100n, appliedMinor: 100n }),
        voidNamed: anInvoice(student, { dueDate: date('2026-12-01'), state: 'VOID' }),
        void: anInvoice(student, { state: 'VOID' }),
        otherSchool: anInvoice(elsewhere),
        otherStudent: anInvoice(classmate),
      };
      await invoices().insert(Object.values(rows));
      const locked = await harness.get().uow.run((r) =>
        r.invoices.lockLedger(student.id, student.schoolId, [rows.paidNamed.id, rows.voidNamed.id, rows.otherSchool.id, rows.otherStudent.id]),
      );
      expect(ids(locked)).to.deep.equal([rows.paidNamed.id, rows.openEarly.id, rows.openLate.id, rows.voidNamed.id]);
      expect(locked[2]).to.deep.equal(rows.openLate);
      const elsewhereLedger = await harness.get().uow.run((r) => r.invoices.lockLedger(student.id, elsewhere.schoolId, []));
      expect(ids(elsewhereLedger)).to.deep.equal([rows.otherSchool.id]);
    });
  });
}
