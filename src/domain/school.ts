import { DomainError } from './errors.js';
import type { SchoolId } from './ids.js';
import { requireText } from './text.js';

export interface School {
  readonly id: SchoolId;
  readonly name: string;
  /** ISO-4217, immutable. */
  readonly currencyCode: string;
  /** IANA zone name; the school's calendar dates are in this zone. */
  readonly timezone: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function requireCurrencyCode(value: string, field: string): string {
  if (value === '') throw new DomainError('FIELD_REQUIRED', `${field} is required`, field);
  if (!CURRENCIES.has(value)) throw new DomainError('INVALID_CURRENCY', `${field} must be an upper-case ISO-4217 currency code`, field);
  return value;
}

// Zone names only: "Area/Location", "UTC", "Etc/GMT+5"; never a bare offset like "+05:00".
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/** Validates an IANA zone name; returns its canonical spelling when only the case differs. */
export function requireTimezone(value: string, field: string): string {
  if (value === '') throw new DomainError('FIELD_REQUIRED', `${field} is required`, field);
  let resolved: string | undefined;
  try {
    resolved = ZONE_NAME.test(value) ? new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone : undefined;
  } catch {
    resolved = undefined;
  }
  if (resolved === undefined) throw new DomainError('INVALID_TIMEZONE', `${field} must be an IANA timezone name such as Europe/Paris`, field);
  return resolved.toLowerCase() === value.toLowerCase() ? resolved : value;
}

const NAME = { maxLength: 200 } as const;

export function openSchool(input: { id: SchoolId; name: string; currencyCode: string; timezone: string; now: Date }): School {
  return {
    id: input.id,
    name: requireText(input.name, 'name', NAME),
    currencyCode: requireCurrencyCode(input.currencyCode, 'currency_code'),
    timezone: requireTimezone(input.timezone, 'timezone'),
    createdAt: input.now,
    updatedAt: input.now,
  };
}

export interface SchoolChanges {
  readonly name?: string;
  readonly timezone?: string;
}

/** Validates the fields a change sets, whatever school it is for (so before any lookup); timezones come back canonical. */
export function requireSchoolChanges(changes: SchoolChanges): SchoolChanges {
  return {
    ...(changes.name === undefined ? {} : { name: requireText(changes.name, 'name', NAME) }),
    ...(changes.timezone === undefined ? {} : { timezone: requireTimezone(changes.timezone, 'timezone') }),
  };
}

export function reviseSchool(school: School, changes: SchoolChanges, now: Date): School {
  const checked = requireSchoolChanges(changes);
  return {
    ...school,
    name: checked.name ?? school.name,
    timezone: checked.timezone ?? school.timezone,
    updatedAt: now,
  };
}
