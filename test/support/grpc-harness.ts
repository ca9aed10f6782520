import type { DescService } from '@bufbuild/protobuf';
import { type Client, Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { expect } from 'chai';
import type { BillingUseCases } from '../../src/application/use-cases.js';
import { buildUseCases } from '../../src/composition/application-module.js';
import { InvoiceService } from '../../src/gen/billing/v1/invoice_pb.js';
import { PaymentMethod, PaymentService } from '../../src/gen/billing/v1/payment_pb.js';
import { SchoolService } from '../../src/gen/billing/v1/school_pb.js';
import { StatementService } from '../../src/gen/billing/v1/statement_pb.js';
import { StudentService } from '../../src/gen/billing/v1/student_pb.js';
import { BadRequestSchema, ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { Health } from '../../src/gen/grpc/health/v1/health_pb.js';
import { type RunningGrpcServer, startGrpcServer } from '../../src/interface/grpc/server.js';
import { type FakeBilling, fakeBilling } from '../fakes/fake-billing.js';

/**
 * The real gRPC server on a free port, over use cases built from the
 * in-memory fakes, with typed Connect clients speaking gRPC to it.
 */
export interface GrpcHarness {
  readonly fakes: FakeBilling;
  readonly server: RunningGrpcServer;
  readonly port: number;
  readonly baseUrl: string;
  readonly schools: Client<typeof SchoolService>;
  readonly students: Client<typeof StudentService>;
  readonly invoices: Client<typeof InvoiceService>;
  readonly payments: Client<typeof PaymentService>;
  readonly statements: Client<typeof StatementService>;
  readonly health: Client<typeof Health>;
  /** What the server logged as INTERNAL errors (instead of stderr). */
  readonly internalErrors: { error: unknown; procedure: string }[];
  client<S extends DescService>(service: S): Client<S>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Clock start (default 2026-03-10T12:00:00Z). */
  readonly start?: string;
  /** Use cases replaced by test doubles, e.g. one that throws a bug. */
  readonly override?: Partial<BillingUseCases>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<GrpcHarness> {
  const fakes = fakeBilling(options.start);
  const useCases = { ...buildUseCases(fakes.dependencies), ...options.override };
  const internalErrors: { error: unknown; procedure: string }[] = [];
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    useCases,
    reportInternalError: (error, procedure) => internalErrors.push({ error, procedure }),
  });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const transport = createGrpcTransport({ baseUrl });
  const client = <S extends DescService>(service: S) => createClient(service, transport);
  return {
    fakes,
    server,
    port: server.port,
    baseUrl,
    schools: client(SchoolService),
    students: client(StudentService),
    invoices: client(InvoiceService),
    payments: client(PaymentService),
    statements: client(StatementService),
    health: client(Health),
    internalErrors,
    client,
    close: () => server.shutdown(1000),
  };
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

/** Everything the fake database holds, as text: equal before and after means nothing changed. */
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
