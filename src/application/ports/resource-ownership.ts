import type { OwnedTarget } from '../../domain/access.js';
import type { SchoolId } from '../../domain/ids.js';

/**
 * Which school a resource belongs to, for authorization: a student's current
 * school, an invoice's issuing school, a payment's receiving school. One
 * primary-key read; null when there is no such resource.
 */
export interface ResourceOwnership {
  schoolOf(target: OwnedTarget): Promise<SchoolId | null>;
}
