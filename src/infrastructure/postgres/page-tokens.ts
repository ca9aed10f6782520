import { isCalendarDate } from '../../domain/calendar-date.js';
import { DomainError } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import type { Page, PageRequest } from '../../domain/page.js';

/**
 * Keyset page tokens: base64url of a JSON array holding the list's name and
 * the sort key of the last row shown. Opaque to callers; decoded strictly,
 * since the parts end up as bind parameters of the next query.
 */

export type KeyPart = 'uuid' | 'date' | 'integer' | 'instant';

export interface PageKey {
  /** Which list the token belongs to; a token of another list is refused. */
  readonly list: string;
  readonly parts: readonly KeyPart[];
}

const MAX_TOKEN_LENGTH = 512;
const INTEGER = /^(?:0|-?[1-9][0-9]{0,37})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function invalid(): DomainError {
  return new DomainError('INVALID_PAGE_TOKEN', 'page_token is not valid', 'page_token');
}

function validPart(kind: KeyPart, value: string): boolean {
  switch (kind) {
    case 'uuid':
      return isUuid(value);
    case 'date':
      return isCalendarDate(value);
    case 'integer':
      return INTEGER.test(value);
    case 'instant': {
      if (!INSTANT.test(value)) return false;
      const time = Date.parse(value);
      return !Number.isNaN(time) && new Date(time).toISOString() === value;
    }
  }
}

export function encodePageToken(key: PageKey, values: readonly string[]): string {
  if (values.length !== key.parts.length || !values.every((value, i) => validPart(key.parts[i]!, value))) {
    throw new Error(`invariant: bad sort key for page token of ${key.list}`);
  }
  return Buffer.from(JSON.stringify([key.list, ...values]), 'utf8').toString('base64url');
}

/** The sort key a token carries; a token that is not exactly one this code wrote is INVALID_PAGE_TOKEN. */
export function decodePageToken(key: PageKey, token: string): string[] {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.toString('base64url') !== token) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== key.parts.length + 1 || decoded[0] !== key.list) throw invalid();
  const values = decoded.slice(1);
  if (!values.every((value, i): value is string => typeof value === 'string' && validPart(key.parts[i]!, value))) throw invalid();
  return values;
}

/**
 * Cuts a page out of rows fetched with `LIMIT size + 1`: the extra row only
 * says whether there is more, and the token points after the last row shown.
 */
export function keysetPage<T>(rows: readonly T[], page: PageRequest, key: PageKey, sortKey: (item: T) => readonly string[]): Page<T> {
  if (rows.length <= page.size) return { items: rows, nextToken: null };
  const items = rows.slice(0, page.size);
  return { items, nextToken: encodePageToken(key, sortKey(items[items.length - 1]!)) };
}

/** The row limit that tells whether another page follows. */
export function fetchLimit(page: PageRequest): number {
  if (!Number.isInteger(page.size) || page.size < 1) throw new Error(`invariant: page size ${page.size}`);
  return page.size + 1;
}
