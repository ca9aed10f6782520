import { type AccessTarget, type Actor, type OwnedTarget, accessDenied, adminRequired, canAccessSchool, isOwnedTarget } from '../../domain/access.js';
import type { SchoolId } from '../../domain/ids.js';
import type { ResourceOwnership } from '../ports/resource-ownership.js';
import type { CallVersions } from '../statement/call-versions.js';
import type { VersionBatcher } from '../statement/version-batcher.js';

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
 *
 * A student's school comes from the student's statement version read (the
 * same primary-key query), and the version goes into the call's `read`
 * record: a student statement read next in the call needs no second round
 * trip (call-versions.ts).
 */
export class Authorize {
  constructor(
    private readonly ownership: ResourceOwnership,
    private readonly versions: VersionBatcher,
  ) {}

  async execute(actor: Actor, targets: readonly AccessTarget[], read?: CallVersions): Promise<void> {
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
      const schoolId = await this.schoolOf(resource, read);
      if (schoolId === null || !canAccessSchool(actor, schoolId)) throw accessDenied(resource.field);
    }
  }

  private async schoolOf(resource: OwnedTarget, read: CallVersions | undefined): Promise<SchoolId | null> {
    if (resource.kind !== 'student') return this.ownership.schoolOf(resource);
    const current = await this.versions.student(resource.id);
    read?.rememberStudent(resource.id, current);
    return current?.schoolId ?? null;
  }
}
