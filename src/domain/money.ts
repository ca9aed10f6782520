import { DomainError } from './errors.js';

/**
 * Money is an integer number of minor units of the school's currency, held as
 * bigint end to end (protobuf int64, PostgreSQL BIGINT). Amounts a caller
 * sends are 1 to 10^12.
 */
export const MIN_AMOUNT_MINOR = 1n;
export const MAX_AMOUNT_MINOR = 1_000_000_000_000n;

export function requireAmount(value: bigint, field: string): bigint {
  if (value < MIN_AMOUNT_MINOR || value > MAX_AMOUNT_MINOR) {
    throw new DomainError('INVALID_AMOUNT', `${field} must be between ${MIN_AMOUNT_MINOR} and ${MAX_AMOUNT_MINOR} minor units`, field);
  }
  return value;
}

export function sumMinor(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}

export function minMinor(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
