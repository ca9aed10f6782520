import { DomainError } from '../../domain/errors.js';
import type { StudentId } from '../../domain/ids.js';
import { viewInvoice } from '../../domain/invoice.js';
import { unappliedOf } from '../../domain/payment.js';
import { type StudentStatement, invoiceLineOf, paymentLineOf, summarize } from '../../domain/statement.js';
import type { Clock } from '../ports/clock.js';
import type { StatementCodec } from '../ports/statement-codec.js';
import type { StatementReader } from '../ports/statement-reader.js';
import { todayAt } from '../shared/school-calendar.js';
import type { CallVersions } from './call-versions.js';
import type { CachedRead, Computed, StatementCache } from './statement-cache.js';
import { statementKeys } from './statement-keys.js';
import type { VersionBatcher } from './version-batcher.js';

/**
 * The student's account at their current school as of today there, through
 * the statement cache; with the version this call has already read, when
 * authorization read it (call-versions.ts).
 */
export class GetStudentStatement {
  constructor(
    private readonly cache: StatementCache,
    private readonly versions: VersionBatcher,
    private readonly reader: StatementReader,
    private readonly codec: StatementCodec,
    private readonly clock: Clock,
  ) {}

  execute(studentId: StudentId, read?: CallVersions): Promise<CachedRead<StudentStatement>> {
    const known = read?.student(studentId);
    return this.cache.read({
      kind: 'student',
      key: statementKeys.student(studentId),
      current: () => (known !== undefined ? Promise.resolve(known) : this.versions.student(studentId)),
      compute: () => this.compute(studentId),
      encode: (statement) => this.codec.encodeStudent(statement),
      decode: (payload) => this.codec.decodeStudent(payload),
    });
  }

  /** From one database snapshot, with the version and epoch read in it. */
  async compute(studentId: StudentId): Promise<Computed<StudentStatement>> {
    const now = this.clock.now();
    const account = await this.reader.studentAccount(studentId);
    if (!account) throw new DomainError('STUDENT_NOT_FOUND', 'student not found', 'student_id');
    const asOfDate = todayAt(account.school, now);
    const invoices = account.invoices.map((invoice) => invoiceLineOf(viewInvoice(invoice, asOfDate)));
    const payments = account.payments.map((payment) => paymentLineOf({ ...payment, unappliedMinor: unappliedOf(payment) }));
    return {
      value: {
        student: account.student,
        currencyCode: account.school.currencyCode,
        asOfDate,
        generatedAt: now,
        totals: summarize(invoices, payments),
        invoices,
        payments,
      },
      stamp: { epoch: account.epoch, version: account.version, asOfDate },
    };
  }
}
