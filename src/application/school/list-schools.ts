import type { Page, PageRequest } from '../../domain/page.js';
import type { School } from '../../domain/school.js';
import type { SchoolRepository } from '../ports/school-repository.js';

export class ListSchools {
  constructor(private readonly schools: SchoolRepository) {}

  execute(page: PageRequest): Promise<Page<School>> {
    return this.schools.list(page);
  }
}
