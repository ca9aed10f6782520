import { type AccessTarget, type Actor, accessDenied, adminRequired, canAccessSchool, isOwnedTarget } from '../../domain/access.js';
import type { ResourceOwnership } from '../ports/resource-ownership.js';

/**
 * Decides whether the actor may make a call on its declared targets, before
 * the call reads anything else (the statement cache included).
 *
 * Administrators pass without any lookup: unknown ids then get the use
 * cases' own NOT_FOUND. A school caller needs every named school in its
 * scope and, for a student, invoice or payment, the resource's school (one
 * primary-key read, the only one a call may cost); a resource outside its
 * schools and one that does not exist get the same ACCESS_DENIED.
 * Administrative operations need an administrator (ADMIN_REQUIRED).
 */
export class Authorize {
  constructor(private readonly ownership: ResourceOwnership) {}

  async execute(actor: Actor, targets: readonly AccessTarget[]): Promise<void> {
    const owned = targets.filter(isOwnedTarget);
    if (owned.length > 1) throw new Error('invariant: a call names at most one resource whose school must be looked up');
    if (actor.role === 'admin') return;
    if (targets.some((target) => target.kind === 'admin')) throw adminRequired();
    // Named schools first: no lookup is spent on a call that is refused anyway.
    for (const target of targets) {
      if (target.kind === 'school' && !canAccessSchool(actor, target.id)) throw accessDenied(target.field);
    }
    const [resource] = owned;
    if (resource) {
      const schoolId = await this.ownership.schoolOf(resource);
      if (schoolId === null || !canAccessSchool(actor, schoolId)) throw accessDenied(resource.field);
    }
  }
}
