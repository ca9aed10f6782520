import type { SchoolId } from '../../domain/ids.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { School } from '../../domain/school.js';

export interface SchoolRepository {
  insert(school: School): Promise<void>;
  findById(id: SchoolId): Promise<School | null>;
  findByIds(ids: readonly SchoolId[]): Promise<School[]>;
  /** Reads the school and locks its row until the transaction ends. */
  lock(id: SchoolId): Promise<School | null>;
  /** In id order; only the schools in `only` when given. */
  list(page: PageRequest, only?: ReadonlySet<SchoolId> | null): Promise<Page<School>>;
  update(school: School): Promise<void>;
  delete(id: SchoolId): Promise<void>;
  /** Whether any student is enrolled, or any invoice or payment was issued or received, at the school. */
  hasDependents(id: SchoolId): Promise<boolean>;
  /**
   * The next invoice sequence of the school. Increments a per-school counter,
   * so it holds the school row until the transaction ends; sequences taken by
   * rolled-back transactions are skipped (numbers may have gaps).
   */
  nextInvoiceSequence(id: SchoolId): Promise<bigint>;
}
