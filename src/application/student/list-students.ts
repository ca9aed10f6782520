import { DomainError } from '../../domain/errors.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { Student } from '../../domain/student.js';
import type { SchoolRepository } from '../ports/school-repository.js';
import type { StudentFilter, StudentRepository } from '../ports/student-repository.js';

export class ListStudents {
  constructor(
    private readonly schools: SchoolRepository,
    private readonly students: StudentRepository,
  ) {}

  async execute(filter: StudentFilter, page: PageRequest): Promise<Page<Student>> {
    if (!(await this.schools.findById(filter.schoolId))) {
      throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'school_id');
    }
    return this.students.list(filter, page);
  }
}
