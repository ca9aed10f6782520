import { DomainError } from '../../domain/errors.js';
import type { SchoolId } from '../../domain/ids.js';
import type { School } from '../../domain/school.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';

/** Only an empty school can go: no students, invoices or payments. */
export class DeleteSchool {
  constructor(private readonly uow: UnitOfWork) {}

  execute(id: SchoolId): Promise<School> {
    return this.uow.run(async ({ schools, statements }) => {
      // The row lock makes a concurrent enrolment wait for (and then fail on) the delete.
      const school = await schools.lock(id);
      if (!school) throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'id');
      if (await schools.hasDependents(id)) {
        throw new DomainError('SCHOOL_HAS_DEPENDENTS', 'the school has students, invoices or payments', 'id');
      }
      await schools.delete(id);
      statements.schools([id]);
      return school;
    });
  }
}
