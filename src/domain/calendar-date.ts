import { DomainError } from './errors.js';

/** A civil date `YYYY-MM-DD` in some school's timezone. */
export type CalendarDate = string & { readonly __calendarDate: true };

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MIN_YEAR = 1900;
const MS_PER_DAY = 86_400_000;

export function isCalendarDate(value: string): value is CalendarDate {
  const match = SHAPE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < MIN_YEAR || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function parseCalendarDate(value: string, field: string): CalendarDate {
  if (value === '') throw new DomainError('FIELD_REQUIRED', `${field} is required`, field);
  if (!isCalendarDate(value)) throw new DomainError('INVALID_DATE', `${field} must be a date YYYY-MM-DD`, field);
  return value;
}

function epochDay(date: CalendarDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_PER_DAY;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return epochDay(to) - epochDay(from);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return new Date((epochDay(date) + days) * MS_PER_DAY).toISOString().slice(0, 10) as CalendarDate;
}

// ISO-like dates come for free from the en-CA locale; formatters are costly to build.
const formatters = new Map<string, Intl.DateTimeFormat>();
// Zone offsets are whole minutes, so the date in a zone is the same all through one UTC minute.
const lastMinute = new Map<string, { minute: number; date: CalendarDate }>();
const MS_PER_MINUTE = 60_000;

/** The civil date at `instant` in an IANA timezone. */
export function dateInTimezone(instant: Date, timezone: string): CalendarDate {
  const minute = Math.floor(instant.getTime() / MS_PER_MINUTE);
  const cached = lastMinute.get(timezone);
  if (cached?.minute === minute) return cached.date;
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timezone, formatter);
  }
  const parts = formatter.formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const date = `${part('year')}-${part('month')}-${part('day')}` as CalendarDate;
  lastMinute.set(timezone, { minute, date });
  return date;
}
