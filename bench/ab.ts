/**
 * `npm run bench:ab`: compares two configurations or builds of the service
 * on this noisy host. Both run at once against one database and Redis; each
 * round runs every job on A and on B back to back (in alternating order), so
 * the host's drift from one minute to the next hits both alike, and the
 * paired ratios B/A are reported with their median and spread, for the
 * figure, for the server's CPU per call (every thread, warm-up calls
 * included) and for its main thread's alone (read from the scheduler to the
 * nanosecond: at concurrency 1 here, a call's p50 follows it closely).
 *
 *   AB_A / AB_B        JSON objects of environment variables for each service ({} by default)
 *   AB_A_MAIN / AB_B_MAIN  entry of each build (default dist/main.js; copy dist/ aside to compare builds)
 *   AB_A_NODE_ARGS / AB_B_NODE_ARGS  Node flags of each service (space-separated), e.g. V8's GC options
 *   AB_JOBS            comma-separated: health, hit, hit-school (a school caller's), cold-school, payment (p50 at concurrency 1),
 *                      health-c1, hit-c1 (p50 at concurrency 1 through h2load, whose client costs the host far less
 *                      than the Node client's ~0.2 ms a call), hit-rps, health-rps (h2load, 64 in flight) — default health,hit,hit-rps
 *   AB_ROUNDS          default 8
 *
 * It builds nothing: run `npm run build` first.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { create, toBinary } from '@bufbuild/protobuf';
import { Redis } from 'ioredis';
import pg from 'pg';
import { GetStudentStatementRequestSchema } from '../src/gen/billing/v1/statement_pb.js';
import { HealthCheckRequestSchema } from '../src/gen/grpc/health/v1/health_pb.js';
import { freePort } from '../test/support/spawned-service.js';
import { loadDataset, loadUnpaidSchool } from './dataset.js';
import { h2load } from './h2load.js';
import { type BenchServer, startServer } from './server.js';
import { type Latency, median } from './stats.js';
import { benchTokens } from './tokens.js';
import { ADMIN_URL, REDIS_URL, createBenchDatabase, removeKeys } from './stores.js';
import type { Job } from './worker.js';
import { runWorker } from './worker-process.js';

const ROUNDS = Number(process.env.AB_ROUNDS ?? 8);
const JOBS = (process.env.AB_JOBS ?? 'health,hit,hit-rps').split(',');
const KNOWN = new Set(['health', 'hit', 'hit-school', 'cold-school', 'payment', 'health-c1', 'hit-c1', 'hit-rps', 'health-rps']);
const C1_REQUESTS = 3_000;
const PAYMENTS_PER_RUN = 60;
const THROUGHPUT_REQUESTS = 20_000;
const VARIANTS = ['A', 'B'] as const;
type Variant = (typeof VARIANTS)[number];

async function main(): Promise<void> {
  const unknown = JOBS.filter((job) => !KNOWN.has(job));
  if (unknown.length > 0) throw new Error(`unknown AB_JOBS ${unknown.join(', ')}; known: ${[...KNOWN].join(', ')}`);
  await mkdir('bench/results/tmp', { recursive: true });
  const database = await createBenchDatabase(ADMIN_URL, 'ab');
  const redis = new Redis(REDIS_URL);
  const prefix = `bench-ab:${randomBytes(4).toString('hex')}:`;
  const servers: Partial<Record<Variant, BenchServer>> = {};
  try {
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    const S = await loadDataset(pool, 'S', 20261125);
    const unpaid = JOBS.includes('payment') ? await loadUnpaidSchool(pool, ROUNDS * VARIANTS.length * PAYMENTS_PER_RUN, 20261126) : undefined;
    await pool.end();
    const secret = randomBytes(32).toString('hex');
    for (const variant of VARIANTS) {
      const env = JSON.parse(process.env[`AB_${variant}`] ?? '{}') as Record<string, string>;
      servers[variant] = await startServer(
        {
          DATABASE_URL: database.url,
          REDIS_URL,
          CACHE_KEY_PREFIX: `${prefix}${variant}:`,
          AUTH_JWT_SECRET: secret,
          METRICS_PORT: String(await freePort()),
          RATE_LIMIT_PER_SECOND: '1000000',
          RATE_LIMIT_BURST: '1000000',
          ...env,
        },
        `bench/results/tmp/ab-service-${variant}.log`,
        process.env[`AB_${variant}_MAIN`],
        (process.env[`AB_${variant}_NODE_ARGS`] ?? '').split(' ').filter(Boolean),
      );
    }
    const { admin: token, school: schoolToken } = await benchTokens(secret, S.schoolId);
    const hot = S.studentIds[0]!;
    let nextPayer = 0;

    /** One measurement of `job` on a service: p50 in ms, or requests per second; and how many calls it made. */
    const measure = async (job: string, url: string, first: boolean): Promise<{ figure: number; calls: number }> => {
      const warmup = first ? 1000 : 200;
      const made = (figure: number, calls: number) => ({ figure, calls });
      const p50 = async (spec: Extract<Job, { samples: number }>) => made((await runWorker<Latency>(spec)).p50, spec.warmup + spec.samples);
      switch (job) {
        case 'health':
          return p50({ kind: 'health', url, token, warmup, samples: 500 });
        case 'hit':
        case 'hit-school':
          return p50({ kind: 'student-statement', url, token: job === 'hit' ? token : schoolToken, studentId: hot, cold: false, warmup, samples: 500 });
        case 'cold-school':
          return p50({ kind: 'school-statement', url, token, schoolId: S.schoolId, cold: true, warmup: 3, samples: 30 });
        case 'payment': {
          const studentIds = unpaid!.studentIds.slice(nextPayer, (nextPayer += PAYMENTS_PER_RUN));
          // The first `warmup` payers are paid during the warm-up, so they count once.
          return made((await runWorker<Latency>({ kind: 'create-payment', url, token, studentIds, amountMinor: '1000000', warmup: 10 })).p50, studentIds.length);
        }
        default: {
          // Through h2load: *-rps at 64 in flight, *-c1 one call at a time.
          const hit = job.startsWith('hit');
          const c1 = job.endsWith('-c1');
          const requests = c1 ? C1_REQUESTS : THROUGHPUT_REQUESTS;
          const load = (count: number, logFile?: string) =>
            h2load({
              url: hit ? `${url}/billing.v1.StatementService/GetStudentStatement` : `${url}/grpc.health.v1.Health/Check`,
              body: hit ? toBinary(GetStudentStatementRequestSchema, create(GetStudentStatementRequestSchema, { studentId: hot })) : toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, {})),
              requests: count,
              connections: c1 ? 1 : 4,
              streams: c1 ? 1 : 16,
              token,
              bodyFile: `bench/results/tmp/ab-body-${job}.bin`,
              ...(logFile ? { logFile } : {}),
            });
          let calls = requests;
          if (first) {
            calls += 1000;
            await load(1000);
          }
          const result = await load(requests, c1 ? `bench/results/tmp/ab-${job}.log` : undefined);
          if (result.succeeded !== requests) throw new Error(`h2load: ${requests - result.succeeded} calls failed`);
          return made(c1 ? result.latency!.p50 : result.throughput, calls);
        }
      }
    };

    const figures = new Map<string, Record<Variant, number[]>>(JOBS.map((job) => [job, { A: [], B: [] }]));
    // Server CPU per call is steadier than latency here: it does not wait on the other processes' wake-ups.
    const cpu = new Map<string, Record<Variant, number[]>>(JOBS.map((job) => [job, { A: [], B: [] }]));
    const mainThreadCpu = new Map<string, Record<Variant, number[]>>(JOBS.map((job) => [job, { A: [], B: [] }]));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const job of JOBS) {
        for (const variant of round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
          const server = servers[variant]!;
          const before = await server.cpuMs();
          const mainBefore = await server.mainThreadCpuMs();
          const { figure, calls } = await measure(job, `http://127.0.0.1:${server.port}`, round === 0);
          figures.get(job)![variant].push(figure);
          cpu.get(job)![variant].push(((await server.cpuMs()) - before) / calls);
          mainThreadCpu.get(job)![variant].push(((await server.mainThreadCpuMs()) - mainBefore) / calls);
        }
      }
      process.stdout.write(`round ${round + 1}/${ROUNDS} done\n`);
    }
    process.stdout.write('\n| job | unit | A (median) | B (median) | paired B/A: median | min–max |\n|---|---|--:|--:|--:|--:|\n');
    const row = (job: string, unit: string, { A, B }: Record<Variant, number[]>, digits: number) => {
      const ratios = A.map((a, i) => B[i]! / a);
      process.stdout.write(
        `| ${job} | ${unit} | ${median(A).toFixed(digits)} | ${median(B).toFixed(digits)} | ${median(ratios).toFixed(3)} | ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} |\n`,
      );
    };
    for (const [job, values] of figures) row(job, job.endsWith('-rps') ? 'requests/s' : 'p50 ms', values, 2);
    for (const [job, values] of cpu) row(job, 'server CPU ms/call', values, 3);
    for (const [job, values] of mainThreadCpu) row(job, 'main thread CPU ms/call', values, 3);
  } finally {
    for (const server of Object.values(servers)) await server.stop();
    await removeKeys(redis, prefix);
    redis.disconnect();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
