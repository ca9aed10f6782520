/**
 * The stale-read checker of SPEC §5 ("read-your-writes for everyone"), run
 * against service replicas (separate processes on one PostgreSQL and one
 * private redis-server):
 *
 * - writers, one per hot student, add invoices and payments through the
 *   first replica and record each acknowledgement time (when the response
 *   arrived) and the id it created;
 * - readers on every replica read those students' statements and their
 *   school's, and record when each read started (before the request was
 *   sent) and what it saw;
 * - faults at seeded times: the redis-server restarted (stopped by pid,
 *   started again on its port, empty), FLUSHALL, and values captured earlier
 *   in the run written back into their keys (what a lost delete leaves).
 *
 * A violation is a read that started after some write was acknowledged and
 * does not reflect it: for a student statement, the write's invoice or
 * payment id is missing from its lines; for the school statement, its
 * invoice_count or received_minor is below what the writes acknowledged
 * before the read started add up to (both only ever grow here: invoices and
 * payments are only created). Times are this process's monotonic clock, so a
 * read that "started after the ack" was sent after the server committed.
 *
 * Every random choice comes from PRNGs derived from one seed (each loop its
 * own), so a seed replays the same workload and fault plan; the interleaving
 * still depends on timing.
 */
import { Redis } from 'ioredis';
import { PaymentMethod } from '../../src/gen/billing/v1/payment_pb.js';
import type { RedisServer } from './redis-server.js';
import type { CachePolicy, Replica } from './replicas.js';
import type { BillingClients } from './service-harness.js';

/** mulberry32: small, fast, good enough to drive a workload. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An independent stream per loop, from the run's seed and the loop's name. */
function streamOf(seed: number, name: string): () => number {
  let h = seed >>> 0;
  for (const char of name) h = Math.imul(h ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return prng(h);
}

function percentiles(samples: number[]): [number, number] {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return [at(0.5), at(0.99)];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const CALL = { timeoutMs: 10_000 };

export interface CheckerOptions {
  readonly seed: number;
  readonly policy: CachePolicy;
  /** Writes go through the first; every one of them is read from. */
  readonly replicas: readonly Replica[];
  /** The private redis-server the replicas use (never the shared one). */
  readonly redis: RedisServer;
  readonly durationMs: number;
  readonly hotStudents?: number;
  readonly readersPerReplica?: number;
}

export type FaultKind = 'restart' | 'flushall' | 'write-back';

export interface CheckerResult {
  readonly seed: number;
  readonly policy: CachePolicy;
  readonly reads: number;
  readonly writes: number;
  /** Faults carried out (a write-back with nothing captured yet is not one). */
  readonly faults: number;
  readonly faultsByKind: Record<FaultKind, number>;
  /** Reads that started after an acknowledged write and do not reflect it. */
  readonly violations: number;
  readonly readErrors: number;
  readonly writeErrors: number;
  /** x-cache-status of the reads. */
  readonly statuses: Record<string, number>;
  /** x-cache-status of the violating reads. */
  readonly violationStatuses: Record<string, number>;
  /** A few violations, described. */
  readonly examples: readonly string[];
  /** The replicas' own counters for the run (CacheAdminService), summed over both kinds and all replicas. */
  readonly counters: { readonly staleRejections: number; readonly computations: number; readonly hits: number };
  /** Read and write latencies, ms: p50 and p99. */
  readonly latency: { readonly read: readonly [number, number]; readonly write: readonly [number, number] };
  readonly elapsedMs: number;
}

interface Write {
  readonly studentId: string;
  readonly kind: 'invoice' | 'payment';
  readonly id: string;
  readonly amountMinor: bigint;
  readonly ackAt: number;
}

/** The stale-read checker line for the test output. */
export function checkerLine(result: CheckerResult): string {
  return `stale-read checker seed=${result.seed} policy=${result.policy} reads=${result.reads} writes=${result.writes} faults=${result.faults} violations=${result.violations}`;
}

export function checkerDetails(result: CheckerResult): string {
  const statuses = Object.entries(result.statuses)
    .map(([status, n]) => `${status}=${n}`)
    .join(' ');
  const faults = Object.entries(result.faultsByKind)
    .map(([kind, n]) => `${kind}=${n}`)
    .join(' ');
  const { read, write } = result.latency;
  const violating = Object.entries(result.violationStatuses)
    .map(([status, n]) => `${status}=${n}`)
    .join(' ');
  return (
    `  ${(result.elapsedMs / 1000).toFixed(1)} s; x-cache-status ${statuses}; faults ${faults}; ` +
    `read p50/p99 ${read[0].toFixed(1)}/${read[1].toFixed(1)} ms, write ${write[0].toFixed(1)}/${write[1].toFixed(1)} ms; ` +
    `replica counters: stale rejections=${result.counters.staleRejections} computations=${result.counters.computations} hits=${result.counters.hits}; ` +
    `read errors=${result.readErrors} write errors=${result.writeErrors}` +
    (violating ? `; violating reads by x-cache-status ${violating}` : '')
  );
}

export async function runStaleReadChecker(options: CheckerOptions): Promise<CheckerResult> {
  const { seed, policy, replicas, redis, durationMs } = options;
  const writer = replicas[0]!;
  const setup = writer.connect();
  const school = (await setup.schools.createSchool({ name: `Checker ${policy} ${seed}`, currencyCode: 'USD', timezone: 'UTC' }, CALL)).school!;
  const students: string[] = [];
  for (let i = 0; i < (options.hotStudents ?? 3); i += 1) {
    students.push((await setup.students.createStudent({ schoolId: school.id, firstName: 'Hot', lastName: `Student ${i}` }, CALL)).student!.id);
  }
  const keys = [...students.map((id) => `statement:student:${id}`), `statement:school:${school.id}`];

  const writes: Write[] = [];
  const byStudent = new Map<string, Write[]>(students.map((id) => [id, []]));
  const statuses: Record<string, number> = {};
  const violationStatuses: Record<string, number> = {};
  const faultsByKind: Record<FaultKind, number> = { restart: 0, flushall: 0, 'write-back': 0 };
  const examples: string[] = [];
  let reads = 0;
  const readMs: number[] = [];
  const writeMs: number[] = [];
  let violations = 0;
  let readErrors = 0;
  let writeErrors = 0;

  const started = performance.now();
  const deadline = started + durationMs;
  const running = () => performance.now() < deadline;

  async function writerLoop(studentId: string, clients: BillingClients, rng: () => number): Promise<void> {
    let n = 0;
    while (running()) {
      const kind = rng() < 0.5 ? 'invoice' : 'payment';
      const amountMinor = BigInt(100 + Math.floor(rng() * 4_900));
      const sent = performance.now();
      try {
        const id =
          kind === 'invoice'
            ? (await clients.invoices.createInvoice({ studentId, description: `Fee ${(n += 1)}`, amountMinor, dueDate: '2030-01-15' }, CALL)).invoice!.id
            : (await clients.payments.createPayment({ studentId, amountMinor, method: PaymentMethod.CASH }, CALL)).payment!.id;
        const write: Write = { studentId, kind, id, amountMinor, ackAt: performance.now() };
        writeMs.push(write.ackAt - sent);
        writes.push(write);
        byStudent.get(studentId)!.push(write);
      } catch {
        writeErrors += 1;
      }
      // Mostly short gaps, sometimes a longer one (a stale entry then lives longer under a naive policy).
      await sleep(rng() < 0.1 ? 30 + rng() * 50 : rng() * 12);
    }
  }

  function violation(replica: Replica, target: string, status: string | null, start: number, missing: string): void {
    violations += 1;
    violationStatuses[status ?? 'none'] = (violationStatuses[status ?? 'none'] ?? 0) + 1;
    if (examples.length < 5) {
      examples.push(`${replica.name} read ${target} at +${(start - started).toFixed(0)} ms (x-cache-status ${status}) ${missing}`);
    }
  }

  function checkStudent(replica: Replica, studentId: string, start: number, status: string | null, invoiceIds: string[], paymentIds: string[]): void {
    const seen = new Set([...invoiceIds, ...paymentIds]);
    const acked = byStudent.get(studentId)!;
    for (const write of acked) {
      if (write.ackAt >= start) break;
      if (!seen.has(write.id)) {
        violation(replica, `student ${studentId.slice(-6)}`, status, start, `without ${write.kind} ${write.id.slice(-6)} acknowledged ${(start - write.ackAt).toFixed(1)} ms before it started`);
        return;
      }
    }
  }

  function checkSchool(replica: Replica, start: number, status: string | null, invoiceCount: bigint, receivedMinor: bigint): void {
    let invoices = 0n;
    let received = 0n;
    for (const write of writes) {
      if (write.ackAt >= start) break;
      if (write.kind === 'invoice') invoices += 1n;
      else received += write.amountMinor;
    }
    const short = [
      ...(invoiceCount < invoices ? [`invoice_count ${invoiceCount}`] : []),
      ...(receivedMinor < received ? [`received_minor ${receivedMinor}`] : []),
    ];
    if (short.length > 0) {
      violation(replica, 'school', status, start, `with ${short.join(' and ')}, below the ${invoices} invoices and ${received} received acknowledged before it started`);
    }
  }

  async function readerLoop(replica: Replica, clients: BillingClients, rng: () => number): Promise<void> {
    while (running()) {
      const pick = Math.floor(rng() * (students.length + 1));
      let status: string | null = null;
      const onHeader = (headers: Headers) => (status = headers.get('x-cache-status'));
      const start = performance.now();
      try {
        if (pick < students.length) {
          const studentId = students[pick]!;
          const { statement } = await clients.statements.getStudentStatement({ studentId }, { ...CALL, onHeader });
          checkStudent(
            replica,
            studentId,
            start,
            status,
            statement!.invoices.map((line) => line.invoiceId),
            statement!.payments.map((line) => line.paymentId),
          );
        } else {
          const { statement } = await clients.statements.getSchoolStatement({ schoolId: school.id }, { ...CALL, onHeader });
          checkSchool(replica, start, status, statement!.totals!.invoiceCount, statement!.totals!.receivedMinor);
        }
        reads += 1;
        readMs.push(performance.now() - start);
        statuses[status ?? 'none'] = (statuses[status ?? 'none'] ?? 0) + 1;
      } catch {
        readErrors += 1;
      }
    }
  }

  // Faults: one restart, two FLUSHALLs, eight write-backs, at seeded times; values captured every 100-250 ms.
  const faultRng = streamOf(seed, 'faults');
  const at = (from: number, to: number) => started + durationMs * (from + faultRng() * (to - from));
  const plan: { kind: FaultKind; at: number }[] = [
    { kind: 'restart' as const, at: at(0.25, 0.45) },
    { kind: 'flushall' as const, at: at(0.1, 0.2) },
    { kind: 'flushall' as const, at: at(0.55, 0.7) },
    ...Array.from({ length: 8 }, () => ({ kind: 'write-back' as const, at: at(0.15, 0.95) })),
  ].sort((a, b) => a.at - b.at);
  const captured: { at: number; values: [string, Buffer][] }[] = [];
  const operator = new Redis(redis.url, { maxRetriesPerRequest: 1, commandTimeout: 500, retryStrategy: () => 50, lazyConnect: false });
  operator.on('error', () => undefined);

  async function captureLoop(rng: () => number): Promise<void> {
    await sleep(durationMs * 0.05);
    while (running()) {
      try {
        const values = await Promise.all(keys.map((key) => operator.getBuffer(key)));
        const present = keys.flatMap((key, i) => (values[i] ? [[key, values[i]] as [string, Buffer]] : []));
        if (present.length > 0) captured.push({ at: performance.now(), values: present });
      } catch {
        // Redis restarting: capture next time
      }
      await sleep(100 + rng() * 150);
    }
  }

  async function faultLoop(rng: () => number): Promise<void> {
    for (const fault of plan) {
      const wait = fault.at - performance.now();
      if (wait > 0) await sleep(wait);
      if (!running()) return;
      try {
        if (fault.kind === 'restart') {
          await redis.restart();
        } else if (fault.kind === 'flushall') {
          await redis.cli('FLUSHALL');
        } else {
          const old = captured.filter((entry) => entry.at < performance.now() - 150);
          if (old.length === 0) continue;
          const chosen = old[Math.floor(rng() * old.length)]!;
          await Promise.all(chosen.values.map(([key, value]) => operator.set(key, value)));
        }
        faultsByKind[fault.kind] += 1;
      } catch {
        // a write-back while Redis restarts: not carried out, not counted
      }
    }
  }

  const loops: Promise<void>[] = [];
  students.forEach((studentId, i) => loops.push(writerLoop(studentId, writer.connect(), streamOf(seed, `writer ${i}`))));
  replicas.forEach((replica, r) => {
    for (let i = 0; i < (options.readersPerReplica ?? 4); i += 1) {
      loops.push(readerLoop(replica, replica.connect(), streamOf(seed, `reader ${r}.${i}`)));
    }
  });
  loops.push(captureLoop(streamOf(seed, 'capture')), faultLoop(streamOf(seed, 'write-back')));
  try {
    await Promise.all(loops);
  } finally {
    operator.disconnect();
  }
  const faults = Object.values(faultsByKind).reduce((sum, n) => sum + n, 0);
  const elapsedMs = performance.now() - started;
  const counters = { staleRejections: 0, computations: 0, hits: 0 };
  for (const replica of replicas) {
    for (const kind of (await replica.admin().getCacheStats({}, CALL)).stats!.kinds) {
      counters.staleRejections += Number(kind.staleRejections);
      counters.computations += Number(kind.computations);
      counters.hits += Number(kind.hits);
    }
  }
  return {
    seed,
    policy,
    reads,
    writes: writes.length,
    faults,
    faultsByKind,
    violations,
    readErrors,
    writeErrors,
    statuses,
    violationStatuses,
    examples,
    counters,
    latency: { read: percentiles(readMs), write: percentiles(writeMs) },
    elapsedMs,
  };
}
