import { DomainError } from './errors.js';

declare const brand: unique symbol;
type Id<Kind extends string> = string & { readonly [brand]: Kind };

export type SchoolId = Id<'SchoolId'>;
export type StudentId = Id<'StudentId'>;
export type InvoiceId = Id<'InvoiceId'>;
export type PaymentId = Id<'PaymentId'>;
export type AllocationId = Id<'AllocationId'>;

// Canonical lower-case textual form only, so one id has one spelling in keys and logs.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Validates a UUID from a request; upper-case input is accepted and normalised. */
export function parseId<T extends SchoolId | StudentId | InvoiceId | PaymentId>(value: string, field: string): T {
  if (value === '') throw new DomainError('FIELD_REQUIRED', `${field} is required`, field);
  const lower = value.toLowerCase();
  if (!isUuid(lower)) throw new DomainError('INVALID_UUID', `${field} must be a UUID`, field);
  return lower as T;
}
