import { DomainError } from '../../domain/errors.js';
import type { SchoolId } from '../../domain/ids.js';
import type { PageRequest } from '../../domain/page.js';
import type { SchoolStatement } from '../../domain/statement.js';
import type { Clock } from '../ports/clock.js';
import type { StatementCodec } from '../ports/statement-codec.js';
import type { StatementReader } from '../ports/statement-reader.js';
import { todayAt } from '../shared/school-calendar.js';
import type { CachedRead, Computed, StatementCache } from './statement-cache.js';
import { statementKeys } from './statement-keys.js';
import type { VersionBatcher } from './version-batcher.js';

/** Every invoice and payment of the school as of today there, with a page of per-student rows, through the cache. */
export class GetSchoolStatement {
  constructor(
    private readonly cache: StatementCache,
    private readonly versions: VersionBatcher,
    private readonly reader: StatementReader,
    private readonly codec: StatementCodec,
    private readonly clock: Clock,
  ) {}

  execute(schoolId: SchoolId, page: PageRequest): Promise<CachedRead<SchoolStatement>> {
    return this.cache.read({
      kind: 'school',
      key: statementKeys.school(schoolId, page),
      current: () => this.versions.school(schoolId),
      compute: () => this.compute(schoolId, page),
      encode: (statement) => this.codec.encodeSchool(statement),
      decode: (payload) => this.codec.decodeSchool(payload),
    });
  }

  /** From one database snapshot, with the version and epoch read in it. */
  async compute(schoolId: SchoolId, page: PageRequest): Promise<Computed<SchoolStatement>> {
    const now = this.clock.now();
    const account = await this.reader.schoolAccount(schoolId, (school) => todayAt(school, now), page);
    if (!account) throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'school_id');
    const { version, epoch, ...figures } = account;
    return {
      value: { ...figures, currencyCode: account.school.currencyCode, generatedAt: now },
      stamp: { epoch, version, asOfDate: account.asOfDate },
    };
  }
}
