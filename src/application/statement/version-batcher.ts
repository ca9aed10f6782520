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
 *
 * A batch starts as soon as it can (the scheduler's next turn) while fewer
 * than `maxInFlight` batches are running; beyond that, requests gather until
 * one finishes. Idle, a read pays no wait; busy, reads share queries.
 */
export class VersionBatcher {
  private pending: Batch | null = null;
  private scheduled = false;
  private running = 0;

  constructor(
    private readonly source: StatementVersionSource,
    /** Runs the next batch soon (queueMicrotask in production; tests step it by hand). */
    private readonly schedule: (run: () => void) => void,
    private readonly maxInFlight = 4,
  ) {}

  student(id: StudentId): Promise<CurrentVersion | null> {
    return this.enqueue((batch) => batch.students, id);
  }

  school(id: SchoolId): Promise<CurrentVersion | null> {
    return this.enqueue((batch) => batch.schools, id);
  }

  private enqueue<Id extends string>(pick: (batch: Batch) => Map<Id, Waiter[]>, id: Id): Promise<CurrentVersion | null> {
    this.pending ??= { students: new Map(), schools: new Map() };
    const waiters = pick(this.pending);
    const version = new Promise<CurrentVersion | null>((resolve, reject) => waiters.set(id, [...(waiters.get(id) ?? []), { resolve, reject }]));
    this.startSoon();
    return version;
  }

  private startSoon(): void {
    if (this.scheduled || this.running >= this.maxInFlight) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    if (!batch || this.running >= this.maxInFlight) return;
    this.pending = null;
    this.running += 1;
    try {
      await Promise.all([
        settle(batch.students, (ids) => this.source.students(ids)),
        settle(batch.schools, (ids) => this.source.schools(ids)),
      ]);
    } finally {
      this.running -= 1;
      if (this.pending) this.startSoon();
    }
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
