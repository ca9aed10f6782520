import type { SchoolId, StudentId } from '../../domain/ids.js';
import { DEFAULT_PAGE_SIZE, type PageRequest } from '../../domain/page.js';

/**
 * Cache keys, as in the seed's operator guide: `statement:student:{id}` and
 * `statement:school:{id}` (the first page at the default size); other pages of
 * a school statement get their own keys under the school key.
 */
export const statementKeys = {
  student: (id: StudentId) => `statement:student:${id}`,
  school: (id: SchoolId, page: PageRequest = { size: DEFAULT_PAGE_SIZE, token: null }) => {
    const base = `statement:school:${id}`;
    return page.size === DEFAULT_PAGE_SIZE && page.token === null ? base : `${base}:page:${page.size}:${page.token ?? ''}`;
  },
  /** Every key of one school's statement: its pages share the prefix. */
  schoolPrefix: (id: SchoolId) => `statement:school:${id}`,
  all: 'statement:',
} as const;
