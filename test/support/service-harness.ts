import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { type Logger, pino } from 'pino';
import { type RunningService, startService } from '../../src/composition/service.js';
import { loadConfig } from '../../src/config.js';
import { InvoiceService } from '../../src/gen/billing/v1/invoice_pb.js';
import { PaymentService } from '../../src/gen/billing/v1/payment_pb.js';
import { SchoolService } from '../../src/gen/billing/v1/school_pb.js';
import { StatementService } from '../../src/gen/billing/v1/statement_pb.js';
import { StudentService } from '../../src/gen/billing/v1/student_pb.js';
import type { FakeClock } from '../fakes/fake-clock.js';
import { TEST_AUTH_ENV, adminToken, bearer } from './auth.js';
import { type TestDatabase, createTestDatabase } from './test-database.js';

export interface BillingClients {
  readonly schools: Client<typeof SchoolService>;
  readonly students: Client<typeof StudentService>;
  readonly invoices: Client<typeof InvoiceService>;
  readonly payments: Client<typeof PaymentService>;
  readonly statements: Client<typeof StatementService>;
}

/** Typed gRPC clients on their own HTTP/2 connection, sending `token` (none when null). */
export function billingClients(baseUrl: string, token: string | null): BillingClients {
  const transport = createGrpcTransport({ baseUrl, interceptors: [bearer(token)] });
  return {
    schools: createClient(SchoolService, transport),
    students: createClient(StudentService, transport),
    invoices: createClient(InvoiceService, transport),
    payments: createClient(PaymentService, transport),
    statements: createClient(StatementService, transport),
  };
}

export interface ServiceHarness extends BillingClients {
  readonly service: RunningService;
  readonly database: TestDatabase;
  readonly baseUrl: string;
  /** The admin token the clients send. */
  readonly token: string;
  /** Another set of clients on a separate connection (with the admin token unless another is given; null sends none). */
  connect(token?: string | null): BillingClients;
  close(): Promise<void>;
}

/**
 * The whole service as production wires it (composition root, PostgreSQL,
 * grpc-js, authentication with the test secret) on a free port and a fresh
 * database, called through real gRPC clients with an admin token. The rate
 * limit and metrics are off unless `env` turns them on.
 */
export async function startServiceHarness(
  options: { clock?: FakeClock; env?: Readonly<Record<string, string>>; logger?: Logger } = {},
): Promise<ServiceHarness> {
  const database = await createTestDatabase();
  try {
    const config = loadConfig({
      DATABASE_URL: database.url,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      SHUTDOWN_GRACE_MS: '2000',
      ...TEST_AUTH_ENV,
      RATE_LIMIT_PER_SECOND: '0',
      METRICS_PORT: '0',
      ...options.env,
    });
    const service = await startService(config, options.logger ?? pino({ level: 'silent' }), options.clock ? { clock: options.clock } : {});
    const baseUrl = `http://127.0.0.1:${service.grpcPort}`;
    const token = await adminToken();
    return {
      ...billingClients(baseUrl, token),
      service,
      database,
      baseUrl,
      token,
      connect: (other = token) => billingClients(baseUrl, other),
      async close() {
        await service.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
