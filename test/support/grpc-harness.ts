import type { DescService } from '@bufbuild/protobuf';
import { type Client, Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { expect } from 'chai';
import { pino } from 'pino';
import { QueryTypes } from 'sequelize';
import type { BillingUseCases } from '../../src/application/use-cases.js';
import { buildUseCases } from '../../src/composition/application-module.js';
import { startService } from '../../src/composition/service.js';
import { loadConfig } from '../../src/config.js';
import { InvoiceService } from '../../src/gen/billing/v1/invoice_pb.js';
import { PaymentMethod, PaymentService } from '../../src/gen/billing/v1/payment_pb.js';
import { SchoolService } from '../../src/gen/billing/v1/school_pb.js';
import { StatementService } from '../../src/gen/billing/v1/statement_pb.js';
import { StudentService } from '../../src/gen/billing/v1/student_pb.js';
import { BadRequestSchema, ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { Health } from '../../src/gen/grpc/health/v1/health_pb.js';
import type { HealthStatus } from '../../src/interface/grpc/health.js';
import { startGrpcServer } from '../../src/interface/grpc/server.js';
import { type FakeBilling, fakeBilling } from '../fakes/fake-billing.js';
import { TEST_AUTH_ENV, adminToken, bearer } from './auth.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { type TestDatabase, createTestDatabase } from './test-database.js';

/**
 * The billing gRPC server on a free port, called through typed Connect
 * clients speaking gRPC, on one of two backends:
 * - in-memory: the real gRPC server over use cases built from the fakes;
 * - postgres: the whole service as production wires it (composition root,
 *   Sequelize, UUIDv7 ids) on a real PostgreSQL database.
 * Either way the clock is a FakeClock the test moves by hand.
 *
 * Clients send an admin token. The postgres backend checks it as production
 * does (AUTH_JWT_SECRET = the test secret, see ./auth.ts); the in-memory
 * server is started without authentication and ignores it. The rate limit
 * is off unless a test turns it on (`env`).
 */
export interface GrpcHarness {
  readonly backend: BackendName;
  readonly clock: FakeClock;
  readonly port: number;
  readonly baseUrl: string;
  /** The admin token the clients send; pass it to raw calls (bearerMetadata) and buf curl (-H). */
  readonly token: string;
  /** The server's health status (what grpc.health.v1.Health answers). */
  readonly healthStatus: HealthStatus;
  readonly schools: Client<typeof SchoolService>;
  readonly students: Client<typeof StudentService>;
  readonly invoices: Client<typeof InvoiceService>;
  readonly payments: Client<typeof PaymentService>;
  readonly statements: Client<typeof StatementService>;
  readonly health: Client<typeof Health>;
  /** postgres only: the database the service runs on. */
  readonly database?: TestDatabase;
  /** What the server reported as INTERNAL errors (instead of stderr). */
  readonly internalErrors: InternalErrorEntry[];
  client<S extends DescService>(service: S): Client<S>;
  /** Everything stored, as canonical text: equal before and after means nothing changed. */
  snapshot(): Promise<string>;
  /** Graceful shutdown as at SIGTERM: NOT_SERVING, drain calls (up to SHUTDOWN_GRACE_MS), stop. */
  shutdown(): Promise<void>;
  /** Stops the server and releases what the harness owns. Safe after shutdown(). */
  close(): Promise<void>;
}

export type BackendName = 'in-memory' | 'postgres';

export interface InternalErrorEntry {
  /** in-memory: the thrown value; postgres: the error as the pino logger serialised it ({ type, message, stack }). */
  readonly error: unknown;
  readonly procedure: string;
}

export interface HarnessOptions {
  /** Clock start (default 2026-03-10T12:00:00Z). */
  readonly start?: string;
}

export interface InMemoryHarnessOptions extends HarnessOptions {
  /** Use cases replaced by test doubles, e.g. one that throws a bug. */
  readonly override?: Partial<BillingUseCases>;
}

export interface PostgresHarnessOptions extends HarnessOptions {
  /**
   * A database to run on (a suite's, shared by its tests): emptied first and
   * left in place by close(). Without it the harness creates its own
   * database and drops it on close().
   */
  readonly database?: TestDatabase;
  /** More configuration for the service (e.g. RATE_LIMIT_PER_SECOND), over the harness's own. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Grace period of shutdown(), the same on both backends. */
export const SHUTDOWN_GRACE_MS = 5000;

function clientsFor(port: number, token: string) {
  const baseUrl = `http://127.0.0.1:${port}`;
  const transport = createGrpcTransport({ baseUrl, interceptors: [bearer(token)] });
  const client = <S extends DescService>(service: S) => createClient(service, transport);
  return {
    port,
    baseUrl,
    token,
    schools: client(SchoolService),
    students: client(StudentService),
    invoices: client(InvoiceService),
    payments: client(PaymentService),
    statements: client(StatementService),
    health: client(Health),
    client,
  };
}

/** The real gRPC server over use cases built from the in-memory fakes. */
export async function startHarness(options: InMemoryHarnessOptions = {}): Promise<GrpcHarness> {
  const fakes = fakeBilling(options.start);
  const useCases = { ...buildUseCases(fakes.dependencies), ...options.override };
  const internalErrors: InternalErrorEntry[] = [];
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    useCases,
    reportInternalError: (error, procedure) => internalErrors.push({ error, procedure }),
  });
  return {
    backend: 'in-memory',
    clock: fakes.clock,
    healthStatus: server.health,
    ...clientsFor(server.port, await adminToken()),
    internalErrors,
    snapshot: () => Promise.resolve(stateOf(fakes)),
    shutdown: () => server.shutdown(SHUTDOWN_GRACE_MS),
    close: () => server.shutdown(1000),
  };
}

/** Everything the fake database holds, as text. */
export function stateOf(fakes: FakeBilling): string {
  const { state } = fakes;
  return JSON.stringify(
    {
      schools: [...state.schools.entries()],
      sequences: [...state.invoiceSequences.entries()],
      students: [...state.students.entries()],
      invoices: [...state.invoices.entries()],
      payments: [...state.payments.entries()],
      allocations: [...state.allocations.entries()],
    },
    (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value),
  );
}

/** Every table the service writes, parents first. */
const TABLES = ['schools', 'students', 'invoices', 'payments', 'allocations'] as const;

/** Every row of every table, all columns as text, ordered by id. */
async function dumpTables(database: TestDatabase): Promise<string> {
  const columns = TABLES.map((table) => `(SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), '') FROM ${table} t) AS ${table}`);
  const [row] = await database.sequelize.query<Record<(typeof TABLES)[number], string>>(`SELECT ${columns.join(', ')}`, {
    type: QueryTypes.SELECT,
  });
  return TABLES.map((table) => `${table}:\n${row![table]}`).join('\n');
}

/**
 * Deletes every row, children first. The service's triggers refuse DELETE on
 * financial rows, so they are off for this one transaction (the tables belong
 * to the test user, who ran the migrations). DELETE on these few rows takes a
 * couple of milliseconds where TRUNCATE takes ~50.
 */
async function emptyTables(database: TestDatabase): Promise<void> {
  const children = [...TABLES].reverse();
  await database.sequelize.transaction((transaction) =>
    database.sequelize.query(
      [
        ...children.map((table) => `ALTER TABLE ${table} DISABLE TRIGGER USER`),
        ...children.map((table) => `DELETE FROM ${table}`),
        ...children.map((table) => `ALTER TABLE ${table} ENABLE TRIGGER USER`),
      ].join(';\n'),
      { transaction },
    ),
  );
}

/**
 * The whole service as production wires it (startService: migrations,
 * Inversify, Sequelize, UUIDv7 ids, grpc-js) on PostgreSQL, with a FakeClock.
 * INTERNAL errors are read back from what the service logs through pino.
 */
export async function startPostgresHarness(options: PostgresHarnessOptions = {}): Promise<GrpcHarness> {
  const owned = options.database === undefined;
  const database = options.database ?? (await createTestDatabase());
  try {
    if (!owned) await emptyTables(database);
    const clock = new FakeClock(options.start);
    const internalErrors: InternalErrorEntry[] = [];
    const logger = pino(
      { level: 'error' },
      {
        write(line: string) {
          const entry = JSON.parse(line) as { msg?: string; err?: unknown; procedure?: string };
          if (entry.msg === 'internal error') internalErrors.push({ error: entry.err, procedure: entry.procedure ?? '' });
        },
      },
    );
    const config = loadConfig({
      DATABASE_URL: database.url,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
      METRICS_PORT: '0',
      // createTestDatabase ran the same migrations; checking them again costs ~20 ms per test
      // (migrating on start is covered by the e2e service harness).
      MIGRATE_ON_START: 'false',
      ...TEST_AUTH_ENV,
      RATE_LIMIT_PER_SECOND: '0',
      ...options.env,
    });
    const service = await startService(config, logger, { clock });
    return {
      backend: 'postgres',
      database,
      clock,
      healthStatus: service.health,
      ...clientsFor(service.grpcPort, await adminToken()),
      internalErrors,
      snapshot: () => dumpTables(database),
      shutdown: () => service.stop(),
      async close() {
        await service.stop();
        if (owned) await database.drop();
      },
    };
  } catch (error) {
    if (owned) await database.drop();
    throw error;
  }
}

export interface Backend {
  readonly name: BackendName;
  /**
   * Mocha hooks for the enclosing describe: every test gets a fresh harness
   * (new server, clock at the start, empty store), handed to `set`; closed
   * after the test. On PostgreSQL the describe creates one database, emptied
   * before each test and dropped after the last.
   */
  useHarness(set: (harness: GrpcHarness) => void, options?: HarnessOptions): void;
}

function hooks(start: () => Promise<GrpcHarness>, set: (harness: GrpcHarness) => void): void {
  let current: GrpcHarness | undefined;
  beforeEach(async () => {
    current = await start();
    set(current);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
}

export const IN_MEMORY: Backend = {
  name: 'in-memory',
  useHarness(set, options = {}) {
    hooks(() => startHarness(options), set);
  },
};

export const POSTGRES: Backend = {
  name: 'postgres',
  useHarness(set, options = {}) {
    let database: TestDatabase | undefined;
    before(async function () {
      this.timeout(30_000);
      database = await createTestDatabase();
    });
    after(async () => {
      await database?.drop();
      database = undefined;
    });
    hooks(() => startPostgresHarness({ ...options, database: database! }), set);
  },
};

export const BACKENDS: readonly Backend[] = [IN_MEMORY, POSTGRES];

/** The same suite once per backend: `describe(\`${title} (${backend.name})\`)`. */
export function describeEachBackend(title: string, body: (backend: Backend) => void): void {
  for (const backend of BACKENDS) describe(`${title} (${backend.name})`, () => body(backend));
}

export interface ExpectedError {
  readonly code: Code;
  readonly reason: string;
  /** Omit to skip; null when the error names no field. */
  readonly field?: string | null;
}

/** Awaits a call that must fail, and checks its code and its ErrorInfo (and BadRequest for INVALID_ARGUMENT). */
export async function expectError(call: Promise<unknown>, expected: ExpectedError): Promise<ConnectError> {
  let caught: unknown;
  try {
    await call;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${Code[expected.code]} ${expected.reason}`).to.be.instanceOf(ConnectError);
  const error = caught as ConnectError;
  const [info, ...more] = error.findDetails(ErrorInfoSchema);
  expect({ code: Code[error.code], reason: info?.reason }, error.rawMessage).to.deep.equal({
    code: Code[expected.code],
    reason: expected.reason,
  });
  expect(more).to.have.length(0);
  expect(info!.domain).to.equal('billing.v1');
  if (expected.field !== undefined) expect(info!.metadata.field).to.equal(expected.field ?? undefined);
  const violations = error.findDetails(BadRequestSchema).flatMap((detail) => detail.fieldViolations);
  if (error.code === Code.InvalidArgument && info!.metadata.field !== undefined) {
    expect(violations.map((v) => [v.field, v.reason])).to.deep.equal([[info!.metadata.field, expected.reason]]);
  } else {
    expect(violations).to.have.length(0);
  }
  expect(error.rawMessage).to.not.match(/\n\s+at /); // never a stack trace
  return error;
}

/** Given helpers over the wire. */
export function given(h: GrpcHarness) {
  const school = async (init: { name?: string; currencyCode?: string; timezone?: string } = {}) =>
    (await h.schools.createSchool({ name: 'North High', currencyCode: 'USD', timezone: 'UTC', ...init })).school!;
  const student = async (schoolId: string, init: { firstName?: string; lastName?: string; externalRef?: string } = {}) =>
    (await h.students.createStudent({ schoolId, firstName: 'Ada', lastName: 'Lovelace', ...init })).student!;
  const invoice = async (studentId: string, amountMinor: bigint, dueDate: string, init: { issueDate?: string; description?: string } = {}) =>
    (await h.invoices.createInvoice({ studentId, description: 'Tuition', amountMinor, dueDate, issueDate: init.issueDate ?? '2026-03-01', ...init }))
      .invoice!;
  const pay = async (studentId: string, amountMinor: bigint, init: { allocations?: { invoiceId: string; amountMinor: bigint }[] } = {}) =>
    (await h.payments.createPayment({ studentId, amountMinor, method: PaymentMethod.CASH, ...init })).payment!;
  return { school, student, invoice, pay };
}
