import { DomainError } from './errors.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** A page of a list; the token is opaque to callers and to the application. */
export interface PageRequest {
  readonly size: number;
  readonly token: string | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Null on the last page. */
  readonly nextToken: string | null;
}

/** 0 means the default; larger sizes are capped rather than refused. */
export function pageRequest(size: number, token: string): PageRequest {
  if (!Number.isInteger(size) || size < 0) throw new DomainError('INVALID_PAGE_SIZE', 'page_size must not be negative', 'page_size');
  return { size: size === 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE), token: token === '' ? null : token };
}
