import type { StudentId } from '../../domain/ids.js';
import type { CurrentVersion } from '../ports/statement-versions.js';

/**
 * The statement versions one call has already read. Authorizing a school
 * caller on a student reads the student's school with the same primary-key
 * query that gives the student's statement version, so a student statement
 * read later in the same call uses that version instead of a second round
 * trip. SPEC §5 allows it: the query started after the call began. One per
 * call, never shared between calls.
 */
export class CallVersions {
  // Made on the first read: most calls (an administrator's) read none here.
  private students: Map<StudentId, CurrentVersion | null> | undefined;

  rememberStudent(id: StudentId, version: CurrentVersion | null): void {
    (this.students ??= new Map()).set(id, version);
  }

  /** Undefined when this call has not read the student's version; null when the student did not exist. */
  student(id: StudentId): CurrentVersion | null | undefined {
    return this.students?.get(id);
  }
}
