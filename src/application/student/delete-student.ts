import { DomainError } from '../../domain/errors.js';
import type { SchoolId, StudentId } from '../../domain/ids.js';
import type { Student } from '../../domain/student.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import { lockStudent } from '../shared/ledger-session.js';

/** Only a student with no invoice or payment anywhere can go; others are deactivated instead. */
export class DeleteStudent {
  constructor(private readonly uow: UnitOfWork) {}

  /** `visibleSchools`: a scoped caller's schools (null: every school), checked again under the row lock. */
  execute(id: StudentId, visibleSchools: ReadonlySet<SchoolId> | null = null): Promise<Student> {
    return this.uow.run(async (repositories) => {
      const student = await lockStudent(repositories, id, 'id', visibleSchools);
      if (await repositories.students.hasFinancialRecords(id)) {
        throw new DomainError(
          'STUDENT_HAS_FINANCIAL_RECORDS',
          'the student has invoices or payments; change the status instead',
          'id',
        );
      }
      await repositories.students.delete(id);
      repositories.statements.students([id]);
      repositories.statements.schools([student.schoolId]);
      return student;
    });
  }
}
