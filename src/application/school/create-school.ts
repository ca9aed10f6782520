import type { SchoolId } from '../../domain/ids.js';
import { type School, openSchool } from '../../domain/school.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { SchoolRepository } from '../ports/school-repository.js';

export interface CreateSchoolCommand {
  readonly name: string;
  readonly currencyCode: string;
  readonly timezone: string;
}

export class CreateSchool {
  constructor(
    private readonly schools: SchoolRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute(command: CreateSchoolCommand): Promise<School> {
    const school = openSchool({ id: this.ids.newId() as SchoolId, ...command, now: this.clock.now() });
    await this.schools.insert(school);
    return school;
  }
}
