import { fromBinary } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import { Authenticate } from '../../src/application/access/authenticate.js';
import { Authorize } from '../../src/application/access/authorize.js';
import { buildUseCases } from '../../src/composition/application-module.js';
import { JoseTokenVerifier, secretKey } from '../../src/infrastructure/auth/jose-token-verifier.js';
import { PaymentMethod } from '../../src/gen/billing/v1/payment_pb.js';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { StatusSchema } from '../../src/gen/google/rpc/status_pb.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../src/gen/grpc/health/v1/health_pb.js';
import { callInterceptors, startGrpcServer } from '../../src/interface/grpc/server.js';
import { fakeBilling } from '../fakes/fake-billing.js';
import { InMemoryOwnership } from '../fakes/in-memory-ownership.js';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '../support/auth.js';
import { stateOf } from '../support/grpc-harness.js';
import type { BillingClients } from '../support/service-harness.js';
import { billingClients } from '../support/service-harness.js';
import { codeName } from '../support/statement-consistency.js';
import { FIXTURE_KEY, type World } from './oracle.js';

/** A server the fuzz cases are sent to. */
export interface FuzzTarget {
  readonly name: string;
  readonly port: number;
  /** Everything stored, as text. */
  snapshot(): Promise<string>;
  /** What the server reported as INTERNAL. */
  readonly internalErrors: unknown[];
  close(): Promise<void>;
}

/**
 * The real gRPC server and interceptor chain (JWT authentication with the
 * test secret, authorization with its access rules) over use cases built
 * from the in-memory fakes: the bulk of the fuzz runs here, fast.
 */
export async function startFakeTarget(): Promise<FuzzTarget & { clock: ReturnType<typeof fakeBilling>['clock'] }> {
  const fakes = fakeBilling();
  const internalErrors: unknown[] = [];
  const verifier = new JoseTokenVerifier(secretKey(TEST_JWT_SECRET), { issuer: TEST_ISSUER, audience: TEST_AUDIENCE });
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    useCases: buildUseCases(fakes.dependencies),
    interceptors: callInterceptors({ authenticate: new Authenticate(verifier), authorize: new Authorize(new InMemoryOwnership(fakes.state), fakes.versions), rateLimiter: null }, {}),
    reportInternalError: (error) => internalErrors.push(error),
  });
  return {
    name: 'in-memory',
    port: server.port,
    clock: fakes.clock,
    snapshot: () => Promise.resolve(stateOf(fakes)),
    internalErrors,
    close: () => server.shutdown(1000),
  };
}

/** The fixtures of `World`, made through the API. */
export async function makeWorld(api: BillingClients, now: Date): Promise<World> {
  const school = (await api.schools.createSchool({ name: 'Fuzz High', currencyCode: 'USD', timezone: 'UTC' })).school!;
  const student = (await api.students.createStudent({ schoolId: school.id, firstName: 'Fu', lastName: 'Zz' })).student!;
  const invoice = (
    await api.invoices.createInvoice({ studentId: student.id, description: 'Fee', amountMinor: 1000n, issueDate: '2026-03-01', dueDate: '2026-04-01' })
  ).invoice!;
  const payment = (await api.payments.createPayment({ studentId: student.id, amountMinor: 300n, method: PaymentMethod.CASH, idempotencyKey: FIXTURE_KEY }))
    .payment!;
  const reversed = (await api.payments.createPayment({ studentId: student.id, amountMinor: 50n, method: PaymentMethod.CARD })).payment!;
  await api.payments.deletePayment({ id: reversed.id });
  const voided = (await api.invoices.createInvoice({ studentId: student.id, description: 'Void', amountMinor: 500n, issueDate: '2026-03-01', dueDate: '2026-05-01' }))
    .invoice!;
  await api.invoices.deleteInvoice({ id: voided.id });
  return {
    schoolId: school.id,
    studentId: student.id,
    invoiceId: invoice.id,
    voidInvoiceId: voided.id,
    paymentId: payment.id,
    reversedPaymentId: reversed.id,
    now,
    today: now.toISOString().slice(0, 10),
  };
}

export function clientsFor(port: number, token: string): BillingClients {
  return billingClients(`http://127.0.0.1:${port}`, token);
}

export interface RawAnswer {
  readonly code: string;
  readonly message: string;
  readonly reason: string | null;
  readonly field: string | null;
}

/** One grpc-js client with identity serializers: request bytes go out as given. */
export class RawClient {
  private readonly client: grpc.Client;
  private readonly metadata: grpc.Metadata;

  constructor(port: number, token: string) {
    this.client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    this.metadata = new grpc.Metadata();
    this.metadata.set('authorization', `Bearer ${token}`);
  }

  call(path: string, bytes: Uint8Array): Promise<RawAnswer> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest<Uint8Array, Buffer>(
        path,
        (value) => Buffer.from(value),
        (value) => value,
        bytes,
        this.metadata.clone(),
        { deadline: Date.now() + 10_000 },
        (error) => {
          if (!error) {
            resolve({ code: 'OK', message: '', reason: null, field: null });
            return;
          }
          const details = error.metadata?.get('grpc-status-details-bin')[0];
          let reason: string | null = null;
          let field: string | null = null;
          if (Buffer.isBuffer(details)) {
            const status = fromBinary(StatusSchema, details);
            const info = status.details.map((any) => anyUnpack(any, ErrorInfoSchema)).find((x) => x !== undefined);
            reason = info?.reason ?? null;
            field = info?.metadata.field ?? null;
          }
          resolve({ code: codeName(error.code), message: error.details, reason, field });
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

/** grpc.health.v1 Check on a fresh connection: the server still answers. */
export async function serving(port: number): Promise<boolean> {
  const health = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
  const { status } = await health.check({ service: '' }, { timeoutMs: 5_000 });
  return status === HealthCheckResponse_ServingStatus.SERVING;
}
