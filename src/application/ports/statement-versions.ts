import type { SchoolId, StudentId } from '../../domain/ids.js';

/** The current data version of a statement's owner, with what a cache hit must also match. */
export interface CurrentVersion {
  readonly version: bigint;
  readonly epoch: bigint;
  /** The school the statement is dated in: a student's current school, or the school itself. */
  readonly schoolId: SchoolId;
  /** That school's timezone. */
  readonly timezone: string;
}

/**
 * Reads current statement versions from the database: one primary-key read
 * each. A result is null when the owner does not exist.
 */
export interface StatementVersionSource {
  students(ids: readonly StudentId[]): Promise<Map<StudentId, CurrentVersion>>;
  schools(ids: readonly SchoolId[]): Promise<Map<SchoolId, CurrentVersion>>;
}

/**
 * Inside a write transaction: declares which statements the transaction
 * changes. The unit of work bumps their data versions in the same
 * transaction, just before commit (so the rows stay locked briefly).
 */
export interface StatementChanges {
  students(ids: readonly StudentId[]): void;
  schools(ids: readonly SchoolId[]): void;
}

/** What a committed transaction changed. */
export interface ChangedStatements {
  readonly studentIds: readonly StudentId[];
  readonly schoolIds: readonly SchoolId[];
}

/** Collects the changes a transaction declares; adapters use it to bump versions and report them. */
export class StatementChangeSet implements StatementChanges {
  private readonly studentIds = new Set<StudentId>();
  private readonly schoolIds = new Set<SchoolId>();

  students(ids: readonly StudentId[]): void {
    for (const id of ids) this.studentIds.add(id);
  }

  schools(ids: readonly SchoolId[]): void {
    for (const id of ids) this.schoolIds.add(id);
  }

  get empty(): boolean {
    return this.studentIds.size === 0 && this.schoolIds.size === 0;
  }

  /** Sorted, so version rows are always locked in the same order. */
  changed(): ChangedStatements {
    return { studentIds: [...this.studentIds].sort(), schoolIds: [...this.schoolIds].sort() };
  }
}
