import { DomainError } from '../../domain/errors.js';
import type { StudentId } from '../../domain/ids.js';
import type { Student } from '../../domain/student.js';
import type { StudentRepository } from '../ports/student-repository.js';

export class GetStudent {
  constructor(private readonly students: StudentRepository) {}

  async execute(id: StudentId): Promise<Student> {
    const student = await this.students.findById(id);
    if (!student) throw new DomainError('STUDENT_NOT_FOUND', 'student not found', 'id');
    return student;
  }
}
