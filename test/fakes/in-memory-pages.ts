import { DomainError } from '../../src/domain/errors.js';
import type { Page, PageRequest } from '../../src/domain/page.js';

/** Offset tokens: enough for a fake whose rows only change between test steps. */
export function paginate<T>(sorted: readonly T[], page: PageRequest): Page<T> {
  let offset = 0;
  if (page.token !== null) {
    const match = /^offset:(\d+)$/.exec(page.token);
    if (!match) throw new DomainError('INVALID_PAGE_TOKEN', 'page_token is not valid', 'page_token');
    offset = Number(match[1]);
  }
  const items = sorted.slice(offset, offset + page.size);
  const next = offset + items.length;
  return { items, nextToken: next < sorted.length ? `offset:${next}` : null };
}

export function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
