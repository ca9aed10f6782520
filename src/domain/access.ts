import { DomainError } from './errors.js';
import { type InvoiceId, type PaymentId, type SchoolId, type StudentId, isUuid } from './ids.js';

/**
 * Who is calling, as established by authentication: an administrator, who may
 * do everything, or a school client, who may act only on the schools named in
 * its credentials. `subject` is the credential's subject (null when
 * authentication is switched off in development).
 */
export type Actor =
  | { readonly role: 'admin'; readonly subject: string | null }
  | { readonly role: 'school'; readonly subject: string; readonly schoolIds: ReadonlySet<SchoolId> };

/** The caller when authentication is off (AUTH_MODE=none, development only): may do everything. */
export const UNAUTHENTICATED_ADMIN: Actor = Object.freeze({ role: 'admin', subject: null });

/**
 * What one call touches, declared by the transport for every RPC:
 * - `admin`: an administrative operation (creating or deleting schools, the cache);
 * - `any`: every authenticated caller, the use case narrowing what it shows (ListSchools);
 * - `school`: a school named by id (no lookup needed);
 * - `student` / `invoice` / `payment`: a resource whose school must be looked up (one primary-key read).
 * `field` is the request field that named it (reported with a refusal).
 */
export type AccessTarget =
  | { readonly kind: 'admin' }
  | { readonly kind: 'any' }
  | { readonly kind: 'school'; readonly id: SchoolId; readonly field?: string }
  | { readonly kind: 'student'; readonly id: StudentId; readonly field?: string }
  | { readonly kind: 'invoice'; readonly id: InvoiceId; readonly field?: string }
  | { readonly kind: 'payment'; readonly id: PaymentId; readonly field?: string };

export type OwnedTarget = Extract<AccessTarget, { kind: 'student' | 'invoice' | 'payment' }>;

export function isOwnedTarget(target: AccessTarget): target is OwnedTarget {
  return target.kind === 'student' || target.kind === 'invoice' || target.kind === 'payment';
}

export function isAdmin(actor: Actor): boolean {
  return actor.role === 'admin';
}

/** Whether the actor may act on the school's data. */
export function canAccessSchool(actor: Actor, schoolId: SchoolId): boolean {
  return actor.role === 'admin' || actor.schoolIds.has(schoolId);
}

/** The schools whose data the actor may see; null means every school. */
export function visibleSchools(actor: Actor): ReadonlySet<SchoolId> | null {
  return actor.role === 'admin' ? null : actor.schoolIds;
}

// One message for "outside your schools" and "does not exist", so a scoped
// caller cannot tell them apart.
const DENIED_MESSAGE = 'access denied: no such resource among the schools this caller may access';

/** Out of scope and nonexistent look the same to a scoped caller. */
export function accessDenied(field?: string): DomainError {
  return new DomainError('ACCESS_DENIED', DENIED_MESSAGE, field);
}

export function adminRequired(): DomainError {
  return new DomainError('ADMIN_REQUIRED', 'this operation needs an admin token');
}

/** A token's school scope is bounded: it is held in memory for every call. */
export const MAX_TOKEN_SCHOOLS = 1000;

function invalidToken(detail: string): DomainError {
  return new DomainError('AUTH_TOKEN_INVALID', `the token is not valid: ${detail}`);
}

/**
 * Verified token claims → the actor. `sub` names the caller (rate limits are
 * per subject); `role` is `admin` or `school`; a school token carries
 * `school_ids`, 1 to 1000 UUIDs. Anything else is AUTH_TOKEN_INVALID.
 */
export function actorFromClaims(claims: Readonly<Record<string, unknown>>): Actor {
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject === '') throw invalidToken('the "sub" claim is required');
  switch (claims.role) {
    case 'admin':
      return { role: 'admin', subject };
    case 'school': {
      const ids = claims.school_ids;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_TOKEN_SCHOOLS) {
        throw invalidToken(`a school token needs "school_ids", 1 to ${MAX_TOKEN_SCHOOLS} UUIDs`);
      }
      const schoolIds = new Set<SchoolId>();
      for (const id of ids) {
        if (typeof id !== 'string' || !isUuid(id.toLowerCase())) throw invalidToken('"school_ids" must hold UUIDs');
        schoolIds.add(id.toLowerCase() as SchoolId);
      }
      return { role: 'school', subject, schoolIds };
    }
    default:
      throw invalidToken('the "role" claim must be "admin" or "school"');
  }
}
