import type { SchoolId, StudentId } from '../../domain/ids.js';
import type { StatementCachePort } from '../ports/statement-cache-port.js';
import type { StatementCache } from '../statement/statement-cache.js';
import { statementKeys } from '../statement/statement-keys.js';

export type InvalidationTarget = { readonly studentId: StudentId } | { readonly schoolId: SchoolId } | 'all';

/**
 * Drops cached statements: one student's, one school's (every page), or all
 * (SCAN on every master, never KEYS), from the shared cache and from this
 * replica's in-process tier. Reads stay correct without it (other replicas'
 * in-process copies are checked against the current version on every read);
 * this frees memory and lets operators start cold.
 */
export class InvalidateStatements {
  constructor(
    private readonly store: StatementCachePort,
    private readonly cache: StatementCache,
  ) {}

  async execute(target: InvalidationTarget): Promise<number> {
    if (target === 'all') {
      this.cache.forgetLocal(statementKeys.all);
      return this.store.deleteMatching(statementKeys.all);
    }
    if ('studentId' in target) {
      const key = statementKeys.student(target.studentId);
      this.cache.forgetLocal(key);
      const existed = (await this.store.get(key)) !== null;
      await this.store.delete([key]);
      return existed ? 1 : 0;
    }
    this.cache.forgetLocal(statementKeys.schoolPrefix(target.schoolId));
    return this.store.deleteMatching(statementKeys.schoolPrefix(target.schoolId));
  }
}
