import type { Sequelize } from 'sequelize';
import type { SchoolAccount, StatementReader, StudentAccount } from '../../application/ports/statement-reader.js';
import type { CalendarDate } from '../../domain/calendar-date.js';
import type { SchoolId, StudentId } from '../../domain/ids.js';
import type { PageRequest } from '../../domain/page.js';
import type { School } from '../../domain/school.js';
import type { SchoolStatementRow, StatementTotals } from '../../domain/statement.js';
import { type StudentStatus, fullName } from '../../domain/student.js';
import { remainingMs } from './call-deadline.js';
import { type PageKey, decodePageToken, fetchLimit, keysetPage } from './page-tokens.js';
import { type Row, bigintOf, instantOf, invoiceOf, paymentOf, schoolOf, studentOf, textOf } from './rows.js';
import { Sql } from './sql.js';
import { ACCOUNT_INVOICES, ACCOUNT_PAYMENTS, SCHOOL, SCHOOL_FIGURES, STUDENT_WITH_SCHOOL } from './statement-queries.js';

const SCHOOL_ROWS_PAGE: PageKey = { list: 'school-statement', parts: ['integer', 'uuid'] };

function totalsOf(row: Row): StatementTotals {
  const n = (column: string) => bigintOf(row[column], column);
  const outstanding = n('invoiced_minor') - n('applied_minor');
  const credit = n('credit_minor');
  return {
    invoicedMinor: n('invoiced_minor'),
    appliedMinor: n('applied_minor'),
    outstandingMinor: outstanding,
    receivedMinor: n('received_minor'),
    creditMinor: credit,
    netBalanceMinor: outstanding - credit,
    overdueMinor: n('overdue_minor'),
    invoiceCount: n('invoice_count'),
    unpaidCount: n('unpaid_count'),
    partiallyPaidCount: n('partially_paid_count'),
    paidCount: n('paid_count'),
    voidCount: n('void_count'),
    overdueCount: n('overdue_count'),
    aging: {
      currentMinor: n('current_minor'),
      days1To30Minor: n('days_1_30_minor'),
      days31To60Minor: n('days_31_60_minor'),
      days61To90Minor: n('days_61_90_minor'),
      daysOver90Minor: n('days_over_90_minor'),
    },
  };
}

/** A student row of the figures query (its `row_` columns). */
function statementRowOf(row: Row): SchoolStatementRow {
  return {
    studentId: textOf(row.row_student_id, 'student_id') as StudentId,
    name: fullName({ firstName: textOf(row.row_first_name, 'first_name'), lastName: textOf(row.row_last_name, 'last_name') }),
    status: textOf(row.row_status, 'status') as StudentStatus,
    invoicedMinor: bigintOf(row.row_invoiced_minor, 'invoiced_minor'),
    appliedMinor: bigintOf(row.row_applied_minor, 'applied_minor'),
    outstandingMinor: bigintOf(row.row_outstanding_minor, 'outstanding_minor'),
    creditMinor: bigintOf(row.row_credit_minor, 'credit_minor'),
    overdueMinor: bigintOf(row.row_overdue_minor, 'overdue_minor'),
  };
}

/**
 * Every figure of a statement comes from one snapshot, with a constant
 * number of queries whatever the size. A student account is three queries
 * (student with school, invoices, payments) in one REPEATABLE READ, READ ONLY
 * transaction, so BEGIN and COMMIT besides. A school account's figures, its
 * school row and version are one statement, its own snapshot: no transaction
 * unless the call has a deadline to cap it at; it is preceded by a read of
 * the school for the timezone that dates it (below).
 */
export class SequelizeStatementReader implements StatementReader {
  constructor(private readonly sequelize: Sequelize) {}

  private snapshot<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return Sql.transaction(this.sequelize, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (sql) => {
      await sql.limitToDeadline();
      return work(sql);
    });
  }

  /** One statement: on its own, or in a transaction that caps it at the call's deadline. */
  private statement<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return remainingMs() === null ? work(new Sql(this.sequelize)) : this.snapshot(work);
  }

  studentAccount(studentId: StudentId): Promise<StudentAccount | null> {
    return this.snapshot(async (sql) => {
      const row = await sql.one<Row>(STUDENT_WITH_SCHOOL, { studentId });
      if (!row) return null;
      const student = studentOf(row);
      const school: School = {
        id: student.schoolId,
        name: textOf(row.school_name, 'schools.name'),
        currencyCode: textOf(row.school_currency_code, 'schools.currency_code'),
        timezone: textOf(row.school_timezone, 'schools.timezone'),
        createdAt: instantOf(row.school_created_at, 'schools.created_at'),
        updatedAt: instantOf(row.school_updated_at, 'schools.updated_at'),
      };
      const account = { studentId, schoolId: school.id };
      const invoices = await sql.select<Row>(ACCOUNT_INVOICES, account);
      const payments = await sql.select<Row>(ACCOUNT_PAYMENTS, account);
      return {
        student,
        school,
        invoices: invoices.map(invoiceOf),
        payments: payments.map(paymentOf),
        version: bigintOf(row.data_version, 'students.data_version'),
        epoch: bigintOf(row.epoch, 'cache_epoch.epoch'),
      };
    });
  }

  /**
   * The statement date depends on the school's timezone, which the figures
   * need as a parameter: the school is read first to date the figures, and
   * the figures statement reads it again in its own snapshot. Should the
   * timezone have changed in between to one with another date, the figures
   * are read again with that date.
   */
  async schoolAccount(schoolId: SchoolId, asOf: (school: School) => CalendarDate, page: PageRequest): Promise<SchoolAccount | null> {
    const limit = fetchLimit(page);
    const first = await new Sql(this.sequelize).one<Row>(SCHOOL, { schoolId });
    if (!first) return null;
    // As for lists: the token is checked once its owner is found.
    const [afterOutstanding, afterId] = page.token === null ? [null, null] : decodePageToken(SCHOOL_ROWS_PAGE, page.token);
    for (let asOfDate = asOf(schoolOf(first)); ; ) {
      const figures = await this.statement((sql) => sql.select<Row>(SCHOOL_FIGURES, { schoolId, asOf: asOfDate, afterOutstanding, afterId, limit }));
      const totals = figures[0];
      if (!totals) throw new Error('invariant: the figures query returns the totals row');
      if (totals.id === null) return null;
      const school = schoolOf(totals);
      const dated = asOf(school);
      if (dated !== asOfDate) {
        asOfDate = dated;
        continue;
      }
      const rows = figures.filter((row) => row.row_student_id !== null).map(statementRowOf);
      const shown = keysetPage(rows, page, SCHOOL_ROWS_PAGE, (r) => [r.outstandingMinor.toString(), r.studentId]);
      const count = (column: string) => bigintOf(totals[column], column);
      return {
        school,
        asOfDate,
        version: bigintOf(totals.data_version, 'schools.data_version'),
        epoch: bigintOf(totals.epoch, 'cache_epoch.epoch'),
        totals: totalsOf(totals),
        studentCount: count('student_count'),
        activeStudentCount: count('active_student_count'),
        studentsWithBalanceCount: count('students_with_balance_count'),
        studentsOverdueCount: count('students_overdue_count'),
        rows: shown.items,
        nextPageToken: shown.nextToken,
      };
    }
  }
}
