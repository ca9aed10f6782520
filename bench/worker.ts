/**
 * A load-generating client, run as its own process so its CPU is not the
 * server's: `tsx bench/worker.ts '<json job>'` prints one JSON result line.
 */
import { createClient } from '@connectrpc/connect';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PaymentMethod, PaymentService } from '../src/gen/billing/v1/payment_pb.js';
import { SchoolService } from '../src/gen/billing/v1/school_pb.js';
import { StatementService } from '../src/gen/billing/v1/statement_pb.js';
import { StudentService } from '../src/gen/billing/v1/student_pb.js';
import { Health } from '../src/gen/grpc/health/v1/health_pb.js';
import { payBySql } from './payment-sql.js';
import { latencyOf } from './stats.js';
import { benchTransport } from './transport.js';

export type Job =
  | { kind: 'health'; url: string; token?: string; warmup: number; samples: number }
  | { kind: 'pk-select'; databaseUrl: string; studentId: string; warmup: number; samples: number }
  | { kind: 'redis-get'; redisUrl: string; key: string; warmup: number; samples: number }
  | { kind: 'student-statement'; url: string; token?: string; studentId: string; cold: boolean; warmup: number; samples: number }
  | { kind: 'school-statement'; url: string; token?: string; schoolId: string; cold: boolean; warmup: number; samples: number }
  | { kind: 'create-payment'; url: string; token?: string; studentIds: string[]; amountMinor: string; warmup: number }
  | { kind: 'create-payment-sql'; databaseUrl: string; studentIds: string[]; schoolId: string; amountMinor: string; warmup: number }
  | { kind: 'mix'; url: string; token?: string; studentIds: string[]; requests: number; inflight: number; writeShare: number; seed: number };

const job = JSON.parse(process.argv[2]!) as Job;

function clients(url: string, token?: string) {
  const transport = benchTransport(url, token);
  return {
    health: createClient(Health, transport),
    statements: createClient(StatementService, transport),
    students: createClient(StudentService, transport),
    schools: createClient(SchoolService, transport),
    payments: createClient(PaymentService, transport),
  };
}

async function timed(samples: number, warmup: number, call: (i: number) => Promise<unknown>, before?: (i: number) => Promise<unknown>) {
  for (let i = 0; i < warmup; i += 1) {
    await before?.(i);
    await call(i);
  }
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    await before?.(warmup + i);
    const started = performance.now();
    await call(warmup + i);
    times.push(performance.now() - started);
  }
  return latencyOf(times);
}

async function run(): Promise<unknown> {
  switch (job.kind) {
    case 'health': {
      const { health } = clients(job.url, job.token);
      return timed(job.samples, job.warmup, () => health.check({}));
    }
    case 'pk-select': {
      const client = new pg.Client({ connectionString: job.databaseUrl });
      await client.connect();
      const query = { name: 'bench-pk', text: 'SELECT id, data_version FROM students WHERE id = $1', values: [job.studentId] };
      try {
        return await timed(job.samples, job.warmup, () => client.query(query));
      } finally {
        await client.end();
      }
    }
    case 'redis-get': {
      const redis = new Redis(job.redisUrl);
      try {
        return await timed(job.samples, job.warmup, () => redis.getBuffer(job.key));
      } finally {
        redis.disconnect();
      }
    }
    case 'student-statement': {
      const c = clients(job.url, job.token);
      const statuses = new Map<string, number>();
      const latency = await timed(
        job.samples,
        job.warmup,
        () => c.statements.getStudentStatement({ studentId: job.studentId }, { onHeader: (h) => count(statuses, h.get('x-cache-status')) }),
        // Cold: a write that changes only this statement's version, just before the timed read.
        job.cold ? (i) => c.students.updateStudent({ id: job.studentId, email: `bench-${i}@example.org` }) : undefined,
      );
      return { ...latency, statuses: Object.fromEntries(statuses) };
    }
    case 'school-statement': {
      const c = clients(job.url, job.token);
      const statuses = new Map<string, number>();
      const latency = await timed(
        job.samples,
        job.warmup,
        () => c.statements.getSchoolStatement({ schoolId: job.schoolId }, { onHeader: (h) => count(statuses, h.get('x-cache-status')) }),
        job.cold ? (i) => c.schools.updateSchool({ id: job.schoolId, name: `Bench school ${i}` }) : undefined,
      );
      return { ...latency, statuses: Object.fromEntries(statuses) };
    }
    case 'create-payment': {
      const { payments } = clients(job.url, job.token);
      const samples = job.studentIds.length - job.warmup;
      return timed(samples, job.warmup, (i) =>
        payments.createPayment({ studentId: job.studentIds[i]!, amountMinor: BigInt(job.amountMinor), method: PaymentMethod.CARD }),
      );
    }
    case 'create-payment-sql':
      return paymentSqlBaseline(job);
    case 'mix':
      return mix(job);
  }
}

function count(map: Map<string, number>, key: string | null): void {
  map.set(key ?? 'none', (map.get(key ?? 'none') ?? 0) + 1);
}

/** CreatePayment's statement sequence through plain `pg` (payment-sql.ts): the floor of what the service can do. */
async function paymentSqlBaseline(job: Extract<Job, { kind: 'create-payment-sql' }>) {
  const client = new pg.Client({ connectionString: job.databaseUrl });
  await client.connect();
  const now = new Date();
  try {
    return await timed(job.studentIds.length - job.warmup, job.warmup, (i) =>
      payBySql(client, { id: crypto.randomUUID(), studentId: job.studentIds[i]!, schoolId: job.schoolId, amountMinor: BigInt(job.amountMinor), now }),
    );
  } finally {
    await client.end();
  }
}

/** 95/5 reads/writes over many students, a bounded number in flight; the hit ratio from x-cache-status. */
async function mix(job: Extract<Job, { kind: 'mix' }>) {
  const c = clients(job.url, job.token);
  let state = job.seed >>> 0;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
  const statuses = new Map<string, number>();
  const reads: number[] = [];
  const writes: number[] = [];
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < job.requests) {
      next += 1;
      // Skewed: a few students are read far more often, as on a real portal.
      const student = job.studentIds[Math.floor(random() ** 3 * job.studentIds.length)]!;
      const t0 = performance.now();
      if (random() < job.writeShare) {
        await c.payments.createPayment({ studentId: student, amountMinor: 100n, method: PaymentMethod.CASH });
        writes.push(performance.now() - t0);
      } else {
        await c.statements.getStudentStatement({ studentId: student }, { onHeader: (h) => count(statuses, h.get('x-cache-status')) });
        reads.push(performance.now() - t0);
      }
    }
  };
  await Promise.all(Array.from({ length: job.inflight }, lane));
  const seconds = (performance.now() - started) / 1000;
  const hits = statuses.get('hit') ?? 0;
  return {
    throughput: job.requests / seconds,
    reads: latencyOf(reads),
    writes: latencyOf(writes),
    hitRatio: hits / Math.max(1, reads.length),
    statuses: Object.fromEntries(statuses),
  };
}

run().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
