import { expect } from 'chai';
import type { SchoolAccount } from '../../src/application/ports/statement-reader.js';
import type { Invoice } from '../../src/domain/invoice.js';
import type { Payment } from '../../src/domain/payment.js';
import type { School } from '../../src/domain/school.js';
import type { SchoolStatementRow } from '../../src/domain/statement.js';
import type { Student } from '../../src/domain/student.js';
import { type HarnessFactory, useHarness } from './harness.js';
import { MALFORMED_TOKENS, aPayment, aSchool, aStudent, anInvoice, at, date, expectDomainError } from './fixtures.js';

const AS_OF = date('2026-03-10');

/**
 * A small school whose figures are worked out by hand below. As of 2026-03-10:
 *  A (ACTIVE): A1 10000 paid (due 01-01), A2 5000 with 2000 applied (due 02-20, 18 days late),
 *     A4 9999 VOID (due 03-01), A3 7000 unpaid (due 03-10: due today, not late);
 *     P1 12000 fully applied (paid 03-01), P2 5000 REVERSED (paid 03-05).
 *  B (INACTIVE): B1 4000 with 2500 applied (due 2025-11-01, 129 days), B2 3000 (due 01-25, 44 days),
 *     B3 1000 (due 2025-12-30, 70 days); P3 2500 fully applied.
 *  C (ACTIVE): C1 2000 paid; P4 8000 with 2000 applied (6000 credit).
 *  D (GRADUATED), moved to school T: D1 6000 paid, P5 6000 applied, both at S; DT1 1000 at T.
 *  E (ACTIVE) enrolled at T only. F (WITHDRAWN) enrolled at S, nothing billed.
 */
async function seed(harness: ReturnType<typeof useHarness>) {
  const r = harness.get().repositories;
  const s = aSchool({ name: 'S', currencyCode: 'USD', timezone: 'UTC' });
  const t = aSchool({ name: 'T', currencyCode: 'USD', timezone: 'UTC' });
  await r.schools.insert(s);
  await r.schools.insert(t);
  const a = aStudent(s, { firstName: 'Ann', lastName: 'Able', status: 'ACTIVE' });
  const b = aStudent(s, { firstName: 'Bob', lastName: 'Baker', status: 'INACTIVE' });
  const c = aStudent(s, { firstName: 'Cy', lastName: 'Cole', status: 'ACTIVE' });
  const d = aStudent(s, { firstName: 'Di', lastName: 'Dunn', status: 'GRADUATED' });
  const e = aStudent(t, { firstName: 'Ed', lastName: 'Eve', status: 'ACTIVE' });
  const f = aStudent(s, { firstName: 'Fay', lastName: 'Fox', status: 'WITHDRAWN' });
  for (const student of [a, b, c, d, e, f]) await r.students.insert(student);
  const inv = (student: Student, amount: bigint, applied: bigint, due: string, extra: Partial<Invoice> = {}) =>
    anInvoice(student, { amountMinor: amount, appliedMinor: applied, issueDate: date('2025-10-01'), dueDate: date(due), ...extra });
  const pay = (student: Student, amount: bigint, applied: bigint, paidAt: string, extra: Partial<Payment> = {}) =>
    aPayment(student, { amountMinor: amount, appliedMinor: applied, paidAt: new Date(paidAt), ...extra });
  const invoices = {
    a1: inv(a, 10_000n, 10_000n, '2026-01-01'),
    a2: inv(a, 5_000n, 2_000n, '2026-02-20'),
    a3: inv(a, 7_000n, 0n, '2026-03-10'),
    a4: inv(a, 9_999n, 0n, '2026-03-01', { state: 'VOID', voidedAt: at(1) }),
    b1: inv(b, 4_000n, 2_500n, '2025-11-01'),
    b2: inv(b, 3_000n, 0n, '2026-01-25'),
    b3: inv(b, 1_000n, 0n, '2025-12-30'),
    c1: inv(c, 2_000n, 2_000n, '2026-02-01'),
    d1: inv(d, 6_000n, 6_000n, '2026-02-01'),
    dt1: inv({ ...d, schoolId: t.id }, 1_000n, 0n, '2026-02-01'),
  };
  const payments = {
    p1: pay(a, 12_000n, 12_000n, '2026-03-01T10:00:00Z'),
    p2: pay(a, 5_000n, 0n, '2026-03-05T10:00:00Z', { status: 'REVERSED', reversedAt: at(2) }),
    p3: pay(b, 2_500n, 2_500n, '2026-02-01T10:00:00Z'),
    p4: pay(c, 8_000n, 2_000n, '2026-02-01T10:00:00Z'),
    p5: pay(d, 6_000n, 6_000n, '2026-02-01T10:00:00Z'),
  };
  await r.invoices.insert(Object.values(invoices));
  await r.payments.insert(Object.values(payments));
  const movedD = { ...d, schoolId: t.id };
  await r.students.update(movedD);
  return { s, t, a, b, c, d: movedD, e, f, invoices, payments };
}

export function statementReaderContract(factory: HarnessFactory): void {
  describe('StatementReader contract', () => {
    const harness = useHarness(factory);
    const reader = () => harness.get().reader;
    let data: Awaited<ReturnType<typeof seed>>;
    const asOf = (school: School) => {
      expect(school.id).to.equal(data.s.id);
      return AS_OF;
    };

    before(async () => {
      data = await seed(harness);
    });

    it('reads a student account at the current school: invoices in invoice order, payments newest first', async () => {
      const account = await reader().studentAccount(data.a.id);
      expect(account?.student).to.deep.equal(data.a);
      expect(account?.school).to.deep.equal(data.s);
      const { a1, a2, a3, a4 } = data.invoices;
      expect(account?.invoices).to.deep.equal([a1, a2, a4, a3]);
      expect(account?.payments).to.deep.equal([data.payments.p2, data.payments.p1]);
    });

    it('leaves the rows of a former school out of a student account', async () => {
      const account = await reader().studentAccount(data.d.id);
      expect(account?.school).to.deep.equal(data.t);
      expect(account?.invoices).to.deep.equal([data.invoices.dt1]);
      expect(account?.payments).to.deep.equal([]);
    });

    it('returns null for an unknown student or school', async () => {
      expect(await reader().studentAccount(aStudent(data.s).id)).to.equal(null);
      expect(await reader().schoolAccount(aSchool().id, () => AS_OF, { size: 10, token: null })).to.equal(null);
    });

    it('computes the school totals, counts and aging', async () => {
      const account = (await reader().schoolAccount(data.s.id, asOf, { size: 100, token: null }))!;
      expect(account.school).to.deep.equal(data.s);
      expect(account.asOfDate).to.equal(AS_OF);
      expect(account.totals).to.deep.equal({
        invoicedMinor: 38_000n,
        appliedMinor: 22_500n,
        outstandingMinor: 15_500n,
        receivedMinor: 28_500n,
        creditMinor: 6_000n,
        netBalanceMinor: 9_500n,
        overdueMinor: 8_500n,
        invoiceCount: 9n,
        unpaidCount: 3n,
        partiallyPaidCount: 2n,
        paidCount: 3n,
        voidCount: 1n,
        overdueCount: 4n,
        aging: { currentMinor: 7_000n, days1To30Minor: 3_000n, days31To60Minor: 3_000n, days61To90Minor: 1_000n, daysOver90Minor: 1_500n },
      });
      expect(account.studentCount).to.equal(4n);
      expect(account.activeStudentCount).to.equal(2n);
      expect(account.studentsWithBalanceCount).to.equal(2n);
      expect(account.studentsOverdueCount).to.equal(2n);
    });

    it('has one row per enrolled student and per former student billed here, by outstanding then id', async () => {
      const account = (await reader().schoolAccount(data.s.id, asOf, { size: 100, token: null }))!;
      const row = (student: Student, figures: Omit<SchoolStatementRow, 'studentId' | 'name' | 'status'>): SchoolStatementRow => ({
        studentId: student.id,
        name: `${student.firstName} ${student.lastName}`,
        status: student.status,
        ...figures,
      });
      const zeros = { invoicedMinor: 0n, appliedMinor: 0n, outstandingMinor: 0n, creditMinor: 0n, overdueMinor: 0n };
      const settled = [
        row(data.c, { ...zeros, invoicedMinor: 2_000n, appliedMinor: 2_000n, creditMinor: 6_000n }),
        row(data.d, { ...zeros, invoicedMinor: 6_000n, appliedMinor: 6_000n }),
        row(data.f, zeros),
      ].sort((x, y) => (x.studentId < y.studentId ? -1 : 1));
      expect(account.rows).to.deep.equal([
        row(data.a, { invoicedMinor: 22_000n, appliedMinor: 12_000n, outstandingMinor: 10_000n, creditMinor: 0n, overdueMinor: 3_000n }),
        row(data.b, { invoicedMinor: 8_000n, appliedMinor: 2_500n, outstandingMinor: 5_500n, creditMinor: 0n, overdueMinor: 5_500n }),
        ...settled,
      ]);
      expect(account.nextPageToken).to.equal(null);
    });

    it('pages the rows, each exactly once, with the same totals on every page', async () => {
      const full = (await reader().schoolAccount(data.s.id, asOf, { size: 100, token: null }))!;
      for (const size of [1, 2, 4]) {
        const pages: SchoolAccount[] = [];
        let token: string | null = null;
        do {
          const page: SchoolAccount = (await reader().schoolAccount(data.s.id, asOf, { size, token }))!;
          pages.push(page);
          token = page.nextPageToken;
        } while (token !== null && pages.length < 20);
        expect(pages.flatMap((p) => p.rows)).to.deep.equal(full.rows);
        expect(pages.length).to.equal(Math.ceil(full.rows.length / size));
        for (const page of pages) expect(page.totals).to.deep.equal(full.totals);
      }
    });

    it('refuses malformed page tokens', async () => {
      for (const token of MALFORMED_TOKENS) {
        await expectDomainError(reader().schoolAccount(data.s.id, asOf, { size: 10, token }), 'INVALID_PAGE_TOKEN', 'page_token');
      }
    });

    it('dates overdue and aging by the as-of date it is given', async () => {
      const later = (await reader().schoolAccount(data.s.id, () => date('2026-03-11'), { size: 100, token: null }))!;
      // A3 (due 03-10) is one day late on 03-11.
      expect(later.totals.overdueMinor).to.equal(8_500n + 7_000n);
      expect(later.totals.aging.currentMinor).to.equal(0n);
      expect(later.totals.aging.days1To30Minor).to.equal(3_000n + 7_000n);
      const early = (await reader().schoolAccount(data.s.id, () => date('2025-10-01'), { size: 100, token: null }))!;
      expect(early.totals.overdueMinor).to.equal(0n);
      expect(early.totals.aging.currentMinor).to.equal(15_500n);
      expect(early.rows).to.have.length(5);
    });
  });
}
