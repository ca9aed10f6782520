import { DomainError } from '../../domain/errors.js';
import type { SchoolId, StudentId } from '../../domain/ids.js';
import type { SchoolRepository } from '../ports/school-repository.js';
import type { StudentRepository } from '../ports/student-repository.js';

/** Lists are by exactly one existing owner: a student or a school. */
export async function requireListOwner(
  filter: { readonly studentId: StudentId | null; readonly schoolId: SchoolId | null },
  schools: SchoolRepository,
  students: StudentRepository,
): Promise<void> {
  if ((filter.studentId === null) === (filter.schoolId === null)) {
    throw new DomainError('INVALID_FILTER', 'give exactly one of student_id and school_id', 'student_id');
  }
  if (filter.studentId !== null && !(await students.findById(filter.studentId))) {
    throw new DomainError('STUDENT_NOT_FOUND', 'student not found', 'student_id');
  }
  if (filter.schoolId !== null && !(await schools.findById(filter.schoolId))) {
    throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'school_id');
  }
}
