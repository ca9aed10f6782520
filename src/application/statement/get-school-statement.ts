import { DomainError } from '../../domain/errors.js';
import type { SchoolId } from '../../domain/ids.js';
import type { PageRequest } from '../../domain/page.js';
import type { SchoolStatement } from '../../domain/statement.js';
import type { Clock } from '../ports/clock.js';
import type { StatementReader } from '../ports/statement-reader.js';
import { todayAt } from '../shared/school-calendar.js';

/** Every invoice and payment of the school as of today there, with a page of per-student rows. */
export class GetSchoolStatement {
  constructor(
    private readonly reader: StatementReader,
    private readonly clock: Clock,
  ) {}

  async execute(schoolId: SchoolId, page: PageRequest): Promise<SchoolStatement> {
    const now = this.clock.now();
    const account = await this.reader.schoolAccount(schoolId, (school) => todayAt(school, now), page);
    if (!account) throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'school_id');
    return { ...account, currencyCode: account.school.currencyCode, generatedAt: now };
  }
}
