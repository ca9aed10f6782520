/**
 * Every failure a caller can see is a DomainError: a category that decides the
 * transport status, a stable machine reason, and the offending request field
 * where there is one. The interface layer maps categories to gRPC codes in one
 * place; nothing else in the code knows about gRPC.
 */
export type ErrorCategory =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'aborted'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'resource_exhausted'
  | 'permission_denied'
  | 'unauthenticated';

/** Stable reasons, part of the public contract (see docs/errors.md). */
export const REASONS = {
  // invalid_argument
  MALFORMED_REQUEST: 'invalid_argument',
  FIELD_REQUIRED: 'invalid_argument',
  INVALID_UUID: 'invalid_argument',
  INVALID_TEXT: 'invalid_argument',
  TEXT_TOO_LONG: 'invalid_argument',
  INVALID_EMAIL: 'invalid_argument',
  INVALID_AMOUNT: 'invalid_argument',
  INVALID_DATE: 'invalid_argument',
  INVALID_TIMESTAMP: 'invalid_argument',
  INVALID_CURRENCY: 'invalid_argument',
  INVALID_TIMEZONE: 'invalid_argument',
  INVALID_ENUM: 'invalid_argument',
  INVALID_IDEMPOTENCY_KEY: 'invalid_argument',
  INVALID_PAGE_SIZE: 'invalid_argument',
  INVALID_PAGE_TOKEN: 'invalid_argument',
  INVALID_FILTER: 'invalid_argument',
  ISSUE_DATE_IN_FUTURE: 'invalid_argument',
  PAID_AT_IN_FUTURE: 'invalid_argument',
  DUE_DATE_BEFORE_ISSUE_DATE: 'invalid_argument',
  DUPLICATE_ALLOCATION_TARGET: 'invalid_argument',
  ALLOCATIONS_EXCEED_PAYMENT: 'invalid_argument',
  // not_found
  SCHOOL_NOT_FOUND: 'not_found',
  STUDENT_NOT_FOUND: 'not_found',
  INVOICE_NOT_FOUND: 'not_found',
  PAYMENT_NOT_FOUND: 'not_found',
  // already_exists
  STUDENT_EXTERNAL_REF_TAKEN: 'already_exists',
  // failed_precondition
  SCHOOL_HAS_DEPENDENTS: 'failed_precondition',
  STUDENT_HAS_FINANCIAL_RECORDS: 'failed_precondition',
  TRANSFER_CURRENCY_MISMATCH: 'failed_precondition',
  TRANSFER_ACCOUNT_NOT_SETTLED: 'failed_precondition',
  INVOICE_VOID: 'failed_precondition',
  INVOICE_AMOUNT_BELOW_APPLIED: 'failed_precondition',
  INVOICE_HAS_ALLOCATIONS: 'failed_precondition',
  ALLOCATION_INVOICE_MISMATCH: 'failed_precondition',
  ALLOCATION_EXCEEDS_OUTSTANDING: 'failed_precondition',
  IDEMPOTENCY_KEY_REUSED: 'failed_precondition',
  // infrastructure conditions a caller can act on
  TRANSACTION_CONFLICT: 'aborted',
  DATABASE_UNAVAILABLE: 'unavailable',
  DEADLINE_EXCEEDED: 'deadline_exceeded',
  // authentication and authorization
  AUTH_TOKEN_MISSING: 'unauthenticated',
  AUTH_TOKEN_INVALID: 'unauthenticated',
  AUTH_TOKEN_EXPIRED: 'unauthenticated',
  AUTH_KEYS_UNAVAILABLE: 'unavailable',
  ACCESS_DENIED: 'permission_denied',
  ADMIN_REQUIRED: 'permission_denied',
  // limits
  RATE_LIMITED: 'resource_exhausted',
} as const satisfies Record<string, ErrorCategory>;

export type Reason = keyof typeof REASONS;

export class DomainError extends Error {
  readonly category: ErrorCategory;

  constructor(
    readonly reason: Reason,
    message: string,
    /** The request field at fault, in proto field-path form (e.g. `allocations[1].amount_minor`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
    this.category = REASONS[reason];
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
