/**
 * `npm run seed -- --schools 3 --students 200 --invoices 12 --payments 10 [--seed 42]`
 *
 * Loads a realistic, reproducible sample dataset through the use cases, on
 * the database the service uses (DATABASE_URL, or the embedded PostgreSQL
 * under DATA_DIR), or through a running service with `--url` (and
 * `--token` / BILLING_TOKEN when it wants a bearer token). A progress bar on
 * the terminal, a summary at the end.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { openUseCases } from './composition/use-case-runtime.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './infrastructure/logging/logger.js';
import { grpcTarget } from './seed/grpc-target.js';
import { type SeedOptions, planDataset } from './seed/plan.js';
import { runSeed, summary } from './seed/run.js';
import type { SeedTarget } from './seed/target.js';
import { useCaseTarget } from './seed/use-case-target.js';

class UsageError extends Error {}

const USAGE = `usage: npm run seed -- [--schools N] [--students N] [--invoices N] [--payments N] [--seed N]
                       [--concurrency N] [--url http://host:50051 [--token T]]

  --schools       schools to create (default 3, at most 100)
  --students      students in all, spread over the schools (default 200)
  --invoices      monthly invoices per student, most past due, the last few coming (default 12, at most 120)
  --payments      payments per student (default 10, at most 120)
  --seed          random seed: the same seed gives the same data (default 42)
  --concurrency   students written at a time (default 8)
  --url           seed a running service over gRPC instead of the database
  --token         bearer token for --url (default: BILLING_TOKEN)
`;

function integer(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return n;
}

function parse(argv: string[]): SeedOptions & { concurrency: number; url?: string; token?: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        schools: { type: 'string' },
        students: { type: 'string' },
        invoices: { type: 'string' },
        payments: { type: 'string' },
        seed: { type: 'string' },
        concurrency: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const schools = integer(values.schools, 'schools', 3, 1, 100);
  const options = {
    schools,
    students: integer(values.students, 'students', 200, 1, 1_000_000),
    invoices: integer(values.invoices, 'invoices', 12, 1, 120),
    payments: integer(values.payments, 'payments', 10, 0, 120),
    seed: integer(values.seed, 'seed', 42, 0, 2 ** 32 - 1),
    concurrency: integer(values.concurrency, 'concurrency', 8, 1, 64),
  };
  if (values.url !== undefined && !/^https?:\/\/\S+$/.test(values.url)) throw new UsageError(`--url must be http://host:port (got ${JSON.stringify(values.url)})`);
  const token = values.token ?? process.env.BILLING_TOKEN;
  return { ...options, ...(values.url ? { url: values.url } : {}), ...(token ? { token } : {}) };
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  let target: SeedTarget;
  if (options.url) {
    target = grpcTarget(options.url, options.token);
  } else {
    const config = loadConfig();
    const runtime = await openUseCases(config, createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, process.stderr as never));
    target = useCaseTarget(runtime.useCases, runtime.database, () => runtime.close());
  }
  try {
    const plan = planDataset(options, new Date());
    process.stderr.write(
      `Seeding ${target.description}: ${options.schools} schools, ${options.students} students, ${options.invoices} invoices and ${options.payments} payments each (seed ${options.seed})\n`,
    );
    // On a terminal only; redirected output gets the summary alone.
    const bar = new cliProgress.SingleBar(
      { format: '  {bar} {percentage}% | {value}/{total} writes | {eta_formatted} left', hideCursor: true, etaBuffer: 200 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(plan.operations, 0);
    let result;
    try {
      result = await runSeed(plan, target, { concurrency: options.concurrency, progress: () => bar.increment() });
    } finally {
      bar.stop();
    }
    process.stdout.write(summary(result, options.seed));
  } finally {
    await target.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
