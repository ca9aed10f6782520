import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { REASONS } from '../../src/domain/errors.js';

const CODES: Record<string, string> = {
  invalid_argument: 'INVALID_ARGUMENT',
  not_found: 'NOT_FOUND',
  already_exists: 'ALREADY_EXISTS',
  failed_precondition: 'FAILED_PRECONDITION',
  aborted: 'ABORTED',
  unavailable: 'UNAVAILABLE',
  deadline_exceeded: 'DEADLINE_EXCEEDED',
  resource_exhausted: 'RESOURCE_EXHAUSTED',
  permission_denied: 'PERMISSION_DENIED',
  unauthenticated: 'UNAUTHENTICATED',
};

describe('docs/errors.md', () => {
  it('lists every reason with its code, and nothing else', () => {
    const rows = [...readFileSync('docs/errors.md', 'utf8').matchAll(/^\| `([A-Z_]+)` \| ([A-Z_]+) \|/gm)].map((m) => [m[1], m[2]]);

    const expected = Object.entries(REASONS).map(([reason, category]) => [reason, CODES[category]]);
    expect(expected.filter(([, code]) => code === undefined), 'a category without a code here').to.deep.equal([]);
    expect(rows).to.have.deep.members(expected);
    expect(rows).to.have.length(expected.length);
  });
});
