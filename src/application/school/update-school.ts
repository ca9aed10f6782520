import { DomainError } from '../../domain/errors.js';
import type { SchoolId } from '../../domain/ids.js';
import { type School, type SchoolChanges, requireSchoolChanges, reviseSchool } from '../../domain/school.js';
import type { Clock } from '../ports/clock.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';

export interface UpdateSchoolCommand extends SchoolChanges {
  readonly id: SchoolId;
}

export class UpdateSchool {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async execute({ id, ...changes }: UpdateSchoolCommand): Promise<School> {
    // Input errors come before the lookup: a bad name is INVALID_ARGUMENT even for an unknown id.
    requireSchoolChanges(changes);
    return this.uow.run(async ({ schools, statements }) => {
      const school = await schools.lock(id);
      if (!school) throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'id');
      const revised = reviseSchool(school, changes, this.clock.now());
      await schools.update(revised);
      // Student statements need no bump: the school's name is not on them, and a
      // timezone change is caught by the as-of date check of every cache hit.
      statements.schools([id]);
      return revised;
    });
  }
}
