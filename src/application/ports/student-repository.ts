import type { SchoolId, StudentId } from '../../domain/ids.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { Student, StudentStatus } from '../../domain/student.js';

export interface StudentFilter {
  readonly schoolId: SchoolId;
  readonly status: StudentStatus | null;
}

export interface AccountBalance {
  readonly outstandingMinor: bigint;
  readonly creditMinor: bigint;
}

export interface StudentRepository {
  /** Throws STUDENT_EXTERNAL_REF_TAKEN when the school already has the external ref. */
  insert(student: Student): Promise<void>;
  findById(id: StudentId): Promise<Student | null>;
  /**
   * Reads the student and locks its row until the transaction ends. Every
   * write to a student's invoices, payments or allocations takes this lock
   * first, which serialises them per student and fixes the lock order.
   */
  lock(id: StudentId): Promise<Student | null>;
  /** In id order. */
  list(filter: StudentFilter, page: PageRequest): Promise<Page<Student>>;
  /** Throws STUDENT_EXTERNAL_REF_TAKEN when the school already has the external ref. */
  update(student: Student): Promise<void>;
  delete(id: StudentId): Promise<void>;
  /** Whether the student has any invoice or payment at any school. */
  hasFinancialRecords(id: StudentId): Promise<boolean>;
  /** The schools where the student has invoices or payments (their statements show the student). */
  accountSchools(id: StudentId): Promise<SchoolId[]>;
  /** Outstanding and credit of the student's account at one school. */
  balanceAt(id: StudentId, schoolId: SchoolId): Promise<AccountBalance>;
}
