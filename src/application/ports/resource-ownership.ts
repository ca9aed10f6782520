import type { OwnedTarget } from '../../domain/access.js';
import type { SchoolId } from '../../domain/ids.js';

/** An invoice or a payment named by a call: the targets this port looks up. */
export type BilledTarget = Exclude<OwnedTarget, { kind: 'student' }>;

/**
 * Which school an invoice (issuing) or a payment (receiving) belongs to, for
 * authorization; a student's comes with its statement version
 * (StatementVersionSource). One primary-key read; null when there is no such
 * resource.
 */
export interface ResourceOwnership {
  schoolOf(target: BilledTarget): Promise<SchoolId | null>;
}
