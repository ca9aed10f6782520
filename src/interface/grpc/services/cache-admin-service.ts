import type { ServiceImpl } from '@connectrpc/connect';
import type { InvalidationTarget } from '../../../application/cache/invalidate-statements.js';
import type { CacheCounters } from '../../../application/ports/statement-cache-metrics.js';
import type { BillingUseCases } from '../../../application/use-cases.js';
import { DomainError } from '../../../domain/errors.js';
import { CacheAdminService, type InvalidateStatementsRequest } from '../../../gen/billing/v1/cache_admin_pb.js';
import { requiredId } from '../requests.js';

function kindStats(kind: keyof CacheCounters, counters: CacheCounters[keyof CacheCounters]) {
  const served = counters.hit + counters.miss + counters.bypass;
  return {
    kind,
    hits: BigInt(counters.hit),
    misses: BigInt(counters.miss),
    bypasses: BigInt(counters.bypass),
    errors: BigInt(counters.error),
    staleRejections: BigInt(counters.stale_rejected),
    computations: BigInt(counters.computation),
    fillsStored: BigInt(counters.fill_stored),
    fillsKept: BigInt(counters.fill_kept),
    fillsFailed: BigInt(counters.fill_failed),
    leaseWaits: BigInt(counters.lease_wait),
    leaseExpirations: BigInt(counters.lease_expired),
    hitRatio: served === 0 ? 0 : counters.hit / served,
  };
}

function targetOf(request: InvalidateStatementsRequest): InvalidationTarget {
  switch (request.target.case) {
    case 'studentId':
      return { studentId: requiredId(request.target.value, 'student_id') };
    case 'schoolId':
      return { schoolId: requiredId(request.target.value, 'school_id') };
    case 'all':
      if (request.target.value) return 'all';
      break;
  }
  throw new DomainError('FIELD_REQUIRED', 'name a student_id, a school_id, or set all', 'target');
}

export function cacheAdminService(useCases: BillingUseCases): ServiceImpl<typeof CacheAdminService> {
  return {
    async getCacheStats() {
      const { counters, keyCount } = await useCases.getCacheStats.execute();
      return {
        stats: {
          kinds: [kindStats('student', counters.student), kindStats('school', counters.school)],
          keyCount: BigInt(keyCount ?? 0),
          keyCountKnown: keyCount !== null,
        },
      };
    },

    async invalidateStatements(request) {
      return { deletedKeys: BigInt(await useCases.invalidateStatements.execute(targetOf(request))) };
    },

    async warmStatements(request) {
      const result = await useCases.warmStatements.execute(requiredId(request.schoolId, 'school_id'));
      return { computed: BigInt(result.computed), alreadyCached: BigInt(result.alreadyCached) };
    },
  };
}
