import { DomainError } from './errors.js';

// C0/C1 controls and DEL; NUL is the one that breaks PostgreSQL text outright.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;
const LINE_BREAK = /[\n\t]/u;

export interface TextRule {
  readonly maxLength: number;
  /** Empty is accepted (and means "not set"). */
  readonly optional?: boolean;
  /** Newlines and tabs are accepted. */
  readonly multiline?: boolean;
}

/** Validates caller text: no NUL or control characters, bounded length in code points. */
export function requireText(value: string, field: string, rule: TextRule): string {
  if (value.trim() === '') {
    if (rule.optional && value === '') return value;
    throw new DomainError('FIELD_REQUIRED', `${field} is required`, field);
  }
  if (CONTROL.test(value) || (!rule.multiline && LINE_BREAK.test(value))) {
    throw new DomainError('INVALID_TEXT', `${field} must not contain control characters`, field);
  }
  if ([...value].length > rule.maxLength) {
    throw new DomainError('TEXT_TOO_LONG', `${field} must be at most ${rule.maxLength} characters`, field);
  }
  return value;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

export function requireEmail(value: string, field: string): string {
  requireText(value, field, { maxLength: 254, optional: true });
  if (value !== '' && !EMAIL.test(value)) throw new DomainError('INVALID_EMAIL', `${field} is not an email address`, field);
  return value;
}

// Printable ASCII keeps keys unambiguous in logs, SQL and headers.
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

/** Empty means "no key". */
export function requireIdempotencyKey(value: string, field: string): string | null {
  if (value === '') return null;
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw new DomainError('INVALID_IDEMPOTENCY_KEY', `${field} must be 1 to 255 printable ASCII characters`, field);
  }
  return value;
}
