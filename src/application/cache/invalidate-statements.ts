import type { SchoolId, StudentId } from '../../domain/ids.js';
import type { StatementCachePort } from '../ports/statement-cache-port.js';
import { statementKeys } from '../statement/statement-keys.js';

export type InvalidationTarget = { readonly studentId: StudentId } | { readonly schoolId: SchoolId } | 'all';

/**
 * Drops cached statements: one student's, one school's (every page), or all
 * (SCAN on every master, never KEYS). Reads stay correct without it; this
 * frees memory and lets operators start cold.
 */
export class InvalidateStatements {
  constructor(private readonly store: StatementCachePort) {}

  async execute(target: InvalidationTarget): Promise<number> {
    if (target === 'all') return this.store.deleteMatching(statementKeys.all);
    if ('studentId' in target) {
      const key = statementKeys.student(target.studentId);
      const existed = (await this.store.get(key)) !== null;
      await this.store.delete([key]);
      return existed ? 1 : 0;
    }
    return this.store.deleteMatching(statementKeys.schoolPrefix(target.schoolId));
  }
}
