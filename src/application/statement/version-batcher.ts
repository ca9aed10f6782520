import type { CurrentVersion, StatementVersionSource } from '../ports/statement-versions.js';
import type { SchoolId, StudentId } from '../../domain/ids.js';

type Waiter = { resolve: (version: CurrentVersion | null) => void; reject: (error: unknown) => void };

interface Batch {
  readonly students: Map<StudentId, Waiter[]>;
  readonly schools: Map<SchoolId, Waiter[]>;
}

/**
 * Coalesces version reads: the requests that arrive before a batch's query
 * starts share it (one query per kind, whatever the number of ids). A
 * request only ever joins a batch whose query has not started yet, so the
 * version it gets was read by a query that started after the request began —
 * which is what read-your-writes needs.
 */
export class VersionBatcher {
  private pending: Batch | null = null;

  constructor(
    private readonly source: StatementVersionSource,
    /** Runs the batch soon (setImmediate in production; tests step it by hand). */
    private readonly schedule: (run: () => void) => void,
  ) {}

  student(id: StudentId): Promise<CurrentVersion | null> {
    return this.enqueue((batch) => batch.students, id);
  }

  school(id: SchoolId): Promise<CurrentVersion | null> {
    return this.enqueue((batch) => batch.schools, id);
  }

  private enqueue<Id extends string>(pick: (batch: Batch) => Map<Id, Waiter[]>, id: Id): Promise<CurrentVersion | null> {
    if (!this.pending) {
      this.pending = { students: new Map(), schools: new Map() };
      this.schedule(() => void this.flush());
    }
    const waiters = pick(this.pending);
    return new Promise((resolve, reject) => waiters.set(id, [...(waiters.get(id) ?? []), { resolve, reject }]));
  }

  private async flush(): Promise<void> {
    const batch = this.pending!;
    this.pending = null;
    await Promise.all([
      settle(batch.students, (ids) => this.source.students(ids)),
      settle(batch.schools, (ids) => this.source.schools(ids)),
    ]);
  }
}

async function settle<Id extends string>(
  waiters: Map<Id, Waiter[]>,
  read: (ids: Id[]) => Promise<Map<Id, CurrentVersion>>,
): Promise<void> {
  if (waiters.size === 0) return;
  try {
    const found = await read([...waiters.keys()]);
    for (const [id, list] of waiters) for (const waiter of list) waiter.resolve(found.get(id) ?? null);
  } catch (error) {
    for (const list of waiters.values()) for (const waiter of list) waiter.reject(error);
  }
}
