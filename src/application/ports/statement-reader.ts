import type { CalendarDate } from '../../domain/calendar-date.js';
import type { SchoolId, StudentId } from '../../domain/ids.js';
import type { Invoice } from '../../domain/invoice.js';
import type { PageRequest } from '../../domain/page.js';
import type { Payment } from '../../domain/payment.js';
import type { School } from '../../domain/school.js';
import type { SchoolStatementRow, StatementTotals } from '../../domain/statement.js';
import type { Student } from '../../domain/student.js';

/** Every row of one student's account at their current school, read in one snapshot. */
export interface StudentAccount {
  readonly student: Student;
  readonly school: School;
  /** Invoice order. */
  readonly invoices: readonly Invoice[];
  /** Newest first. */
  readonly payments: readonly Payment[];
  /** The student's statement data version and the database epoch, in this snapshot. */
  readonly version: bigint;
  readonly epoch: bigint;
}

/** A school's figures as of a date, read in one snapshot by set-based queries. */
export interface SchoolAccount {
  readonly school: School;
  readonly asOfDate: CalendarDate;
  /** The school's statement data version and the database epoch, in this snapshot. */
  readonly version: bigint;
  readonly epoch: bigint;
  readonly totals: StatementTotals;
  readonly studentCount: bigint;
  readonly activeStudentCount: bigint;
  readonly studentsWithBalanceCount: bigint;
  readonly studentsOverdueCount: bigint;
  readonly rows: readonly SchoolStatementRow[];
  readonly nextPageToken: string | null;
}

export interface StatementReader {
  /** Null when the student does not exist. */
  studentAccount(studentId: StudentId): Promise<StudentAccount | null>;
  /**
   * Null when the school does not exist. `asOf` turns the school (read in the
   * same snapshot) into the statement date, so the date always matches the
   * timezone the figures were computed with.
   */
  schoolAccount(schoolId: SchoolId, asOf: (school: School) => CalendarDate, page: PageRequest): Promise<SchoolAccount | null>;
}
