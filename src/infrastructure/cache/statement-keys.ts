/**
 * Which keys are statements: `statement:student:{uuid}` and
 * `statement:school:{uuid}` (ids in their canonical lower-case form, as the
 * domain spells them). Helper keys such as leases are a statement key plus a
 * suffix, so they never match and are not counted.
 */
const STATEMENT_KEY = /^statement:(?:student|school):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isStatementKey(logicalKey: string): boolean {
  return STATEMENT_KEY.test(logicalKey);
}

/** A SCAN MATCH pattern for every key starting with prefix + keyPrefix, glob characters escaped. */
export function scanPattern(prefix: string, keyPrefix: string): string {
  return `${(prefix + keyPrefix).replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
}
