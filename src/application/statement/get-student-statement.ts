import { DomainError } from '../../domain/errors.js';
import type { StudentId } from '../../domain/ids.js';
import { viewInvoice } from '../../domain/invoice.js';
import { unappliedOf } from '../../domain/payment.js';
import { type StudentStatement, invoiceLineOf, paymentLineOf, summarize } from '../../domain/statement.js';
import type { Clock } from '../ports/clock.js';
import type { StatementReader } from '../ports/statement-reader.js';
import { todayAt } from '../shared/school-calendar.js';

/** The student's account at their current school as of today there. */
export class GetStudentStatement {
  constructor(
    private readonly reader: StatementReader,
    private readonly clock: Clock,
  ) {}

  async execute(studentId: StudentId): Promise<StudentStatement> {
    const now = this.clock.now();
    const account = await this.reader.studentAccount(studentId);
    if (!account) throw new DomainError('STUDENT_NOT_FOUND', 'student not found', 'student_id');
    const asOfDate = todayAt(account.school, now);
    const invoices = account.invoices.map((invoice) => invoiceLineOf(viewInvoice(invoice, asOfDate)));
    const payments = account.payments.map((payment) => paymentLineOf({ ...payment, unappliedMinor: unappliedOf(payment) }));
    return {
      student: account.student,
      currencyCode: account.school.currencyCode,
      asOfDate,
      generatedAt: now,
      totals: summarize(invoices, payments),
      invoices,
      payments,
    };
  }
}
