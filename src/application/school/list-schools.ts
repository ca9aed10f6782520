import type { SchoolId } from '../../domain/ids.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { School } from '../../domain/school.js';
import type { SchoolRepository } from '../ports/school-repository.js';

export class ListSchools {
  constructor(private readonly schools: SchoolRepository) {}

  /** `visible` narrows the list to the schools a scoped caller may see; null lists every school. */
  execute(page: PageRequest, visible: ReadonlySet<SchoolId> | null = null): Promise<Page<School>> {
    return this.schools.list(page, visible);
  }
}
