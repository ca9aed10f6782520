/**
 * A canonical text of a create request without its idempotency key. Stored
 * with the row, it tells a retry (same fingerprint) from a key reused for a
 * different request.
 */
export function requestFingerprint(fields: Record<string, unknown>): string {
  return JSON.stringify(fields, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Date) return value.toISOString();
    return value;
  });
}
