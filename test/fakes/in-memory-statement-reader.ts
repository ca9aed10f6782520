import type { SchoolAccount, StatementReader, StudentAccount } from '../../src/application/ports/statement-reader.js';
import type { CalendarDate } from '../../src/domain/calendar-date.js';
import type { SchoolId, StudentId } from '../../src/domain/ids.js';
import { compareInvoiceOrder, viewInvoice } from '../../src/domain/invoice.js';
import type { PageRequest } from '../../src/domain/page.js';
import { compareCreditOrder, unappliedOf } from '../../src/domain/payment.js';
import type { School } from '../../src/domain/school.js';
import { type SchoolStatementRow, invoiceLineOf, paymentLineOf, summarize } from '../../src/domain/statement.js';
import { fullName } from '../../src/domain/student.js';
import { paginate } from './in-memory-pages.js';
import type { InMemoryState } from './in-memory-state.js';

/** Statements computed row by row from the fake's state, with the domain's own summary. */
export class InMemoryStatementReader implements StatementReader {
  constructor(private readonly state: InMemoryState) {}

  async studentAccount(studentId: StudentId): Promise<StudentAccount | null> {
    const student = this.state.students.get(studentId);
    if (!student) return null;
    const school = this.state.schools.get(student.schoolId)!;
    const mine = <T extends { studentId: StudentId; schoolId: SchoolId }>(row: T) =>
      row.studentId === studentId && row.schoolId === school.id;
    return {
      student,
      school,
      invoices: [...this.state.invoices.values()].filter(mine).sort(compareInvoiceOrder),
      payments: [...this.state.payments.values()].filter(mine).sort((a, b) => compareCreditOrder(b, a)),
      version: this.state.studentVersions.get(studentId) ?? 0n,
      epoch: this.state.epoch,
    };
  }

  async schoolAccount(schoolId: SchoolId, asOf: (school: School) => CalendarDate, page: PageRequest): Promise<SchoolAccount | null> {
    const school = this.state.schools.get(schoolId);
    if (!school) return null;
    const asOfDate = asOf(school);
    const invoices = [...this.state.invoices.values()].filter((i) => i.schoolId === schoolId);
    const payments = [...this.state.payments.values()].filter((p) => p.schoolId === schoolId);
    const lines = (studentId?: StudentId) => {
      const pick = <T extends { studentId: StudentId }>(row: T) => studentId === undefined || row.studentId === studentId;
      return summarize(
        invoices.filter(pick).map((i) => invoiceLineOf(viewInvoice(i, asOfDate))),
        payments.filter(pick).map((p) => paymentLineOf({ ...p, unappliedMinor: unappliedOf(p) })),
      );
    };
    const enrolled = [...this.state.students.values()].filter((s) => s.schoolId === schoolId);
    const ids = new Set<StudentId>([...enrolled.map((s) => s.id), ...invoices.map((i) => i.studentId), ...payments.map((p) => p.studentId)]);
    const rows: SchoolStatementRow[] = [...ids].map((id) => {
      const student = this.state.students.get(id)!;
      const totals = lines(id);
      return {
        studentId: id,
        name: fullName(student),
        status: student.status,
        invoicedMinor: totals.invoicedMinor,
        appliedMinor: totals.appliedMinor,
        outstandingMinor: totals.outstandingMinor,
        creditMinor: totals.creditMinor,
        overdueMinor: totals.overdueMinor,
      };
    });
    rows.sort((a, b) =>
      a.outstandingMinor !== b.outstandingMinor ? (a.outstandingMinor > b.outstandingMinor ? -1 : 1) : a.studentId < b.studentId ? -1 : 1,
    );
    const shown = paginate(rows, page);
    return {
      school,
      asOfDate,
      version: this.state.schoolVersions.get(schoolId) ?? 0n,
      epoch: this.state.epoch,
      totals: lines(),
      studentCount: BigInt(enrolled.length),
      activeStudentCount: BigInt(enrolled.filter((s) => s.status === 'ACTIVE').length),
      studentsWithBalanceCount: BigInt(rows.filter((r) => r.outstandingMinor > 0n).length),
      studentsOverdueCount: BigInt(rows.filter((r) => r.overdueMinor > 0n).length),
      rows: shown.items,
      nextPageToken: shown.nextToken,
    };
  }
}
