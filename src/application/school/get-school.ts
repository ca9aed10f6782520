import { DomainError } from '../../domain/errors.js';
import type { SchoolId } from '../../domain/ids.js';
import type { School } from '../../domain/school.js';
import type { SchoolRepository } from '../ports/school-repository.js';

export class GetSchool {
  constructor(private readonly schools: SchoolRepository) {}

  async execute(id: SchoolId): Promise<School> {
    const school = await this.schools.findById(id);
    if (!school) throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'id');
    return school;
  }
}
