import { DomainError } from '../../domain/errors.js';
import type { SchoolId, StudentId } from '../../domain/ids.js';
import { type Student, type StudentStatus, enrollStudent } from '../../domain/student.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';

export interface CreateStudentCommand {
  readonly schoolId: SchoolId;
  readonly firstName: string;
  readonly lastName: string;
  /** Empty when unknown. */
  readonly email: string;
  /** Empty when unset. */
  readonly externalRef: string;
  readonly status: StudentStatus;
}

export class CreateStudent {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  execute(command: CreateStudentCommand): Promise<Student> {
    const student = enrollStudent({ id: this.ids.newId() as StudentId, ...command, now: this.clock.now() });
    return this.uow.run(async ({ schools, students, statements }) => {
      if (!(await schools.findById(command.schoolId))) {
        throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'school_id');
      }
      await students.insert(student);
      // The school statement gains a row and counts one more student.
      statements.schools([student.schoolId]);
      return student;
    });
  }
}
