import { type DescMessage, type MessageShape, fromBinary } from '@bufbuild/protobuf';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { type CalendarDate, parseCalendarDate } from '../../domain/calendar-date.js';
import { DomainError } from '../../domain/errors.js';
import { type InvoiceId, type PaymentId, type SchoolId, type StudentId, parseId } from '../../domain/ids.js';
import { requireAmount } from '../../domain/money.js';
import { type PageRequest, pageRequest } from '../../domain/page.js';
import { requireIdempotencyKey } from '../../domain/text.js';

/**
 * Request parsing at the edge: every field is checked by the domain's own
 * rules before a use case runs, and every error names the field in proto
 * field-path form (`allocations[1].amount_minor`). Free text (names,
 * descriptions, references, emails, external refs) is checked by the domain
 * where it becomes a value (`requireText`), so it is passed through as is.
 */

type AnyId = SchoolId | StudentId | InvoiceId | PaymentId;

/** Request bytes → message; bad wire format or invalid UTF-8 in a string is the caller's fault. */
export function parseRequest<Desc extends DescMessage>(desc: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(desc, bytes);
  } catch (error) {
    const why = error instanceof Error ? `: ${error.message}` : '';
    throw new DomainError('MALFORMED_REQUEST', `the request is not a valid ${desc.typeName}${why}`);
  }
}

export function requiredId<T extends AnyId>(value: string, field: string): T {
  return parseId<T>(value, field);
}

/** Empty means "not given" (list filters). */
export function optionalId<T extends AnyId>(value: string, field: string): T | null {
  return value === '' ? null : parseId<T>(value, field);
}

/** A proto3 `optional` id: unset → undefined (unchanged). */
export function changedId<T extends AnyId>(value: string | undefined, field: string): T | undefined {
  return value === undefined ? undefined : parseId<T>(value, field);
}

export function amount(value: bigint, field: string): bigint {
  return requireAmount(value, field);
}

export function changedAmount(value: bigint | undefined, field: string): bigint | undefined {
  return value === undefined ? undefined : requireAmount(value, field);
}

export function requiredDate(value: string, field: string): CalendarDate {
  return parseCalendarDate(value, field);
}

/** Empty means "default" (today). */
export function optionalDate(value: string, field: string): CalendarDate | null {
  return value === '' ? null : parseCalendarDate(value, field);
}

export function changedDate(value: string | undefined, field: string): CalendarDate | undefined {
  return value === undefined ? undefined : parseCalendarDate(value, field);
}

export function idempotencyKey(value: string, field = 'idempotency_key'): string | null {
  return requireIdempotencyKey(value, field);
}

export function page(size: number, token: string): PageRequest {
  return pageRequest(size, token);
}

// google.protobuf.Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
const MIN_SECONDS = -62_135_596_800n;
const MAX_SECONDS = 253_402_300_799n;

/** Unset → null (the default); out-of-range seconds or nanos → INVALID_TIMESTAMP. Milliseconds are kept. */
export function optionalTimestamp(value: Timestamp | undefined, field: string): Date | null {
  if (value === undefined) return null;
  if (value.seconds < MIN_SECONDS || value.seconds > MAX_SECONDS || value.nanos < 0 || value.nanos > 999_999_999) {
    throw new DomainError('INVALID_TIMESTAMP', `${field} is not a valid timestamp`, field);
  }
  return new Date(Number(value.seconds) * 1000 + Math.floor(value.nanos / 1_000_000));
}
