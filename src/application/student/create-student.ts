import { DomainError } from '../../domain/errors.js';
import type { SchoolId, StudentId } from '../../domain/ids.js';
import { type Student, type StudentStatus, enrollStudent } from '../../domain/student.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { SchoolRepository } from '../ports/school-repository.js';
import type { StudentRepository } from '../ports/student-repository.js';

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
    private readonly schools: SchoolRepository,
    private readonly students: StudentRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute(command: CreateStudentCommand): Promise<Student> {
    const student = enrollStudent({ id: this.ids.newId() as StudentId, ...command, now: this.clock.now() });
    if (!(await this.schools.findById(command.schoolId))) {
      throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'school_id');
    }
    await this.students.insert(student);
    return student;
  }
}
