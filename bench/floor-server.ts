/**
 * The floor of a cache hit, a cold school statement and a payment on this
 * stack: a bare grpc-js server (no auth, interceptors, logs, metrics or cache)
 * answering the service's paths with only the storage work each call cannot
 * avoid. A hit makes the primary-key version read SPEC §5 requires and answers
 * with the service's own response bytes; a cold school statement runs the
 * service's statement queries (the school, then its figures) and answers with the
 * service's bytes for that school (UpdateSchool, the write before each cold
 * read, bumps the version); a payment runs CreatePayment's SQL sequence
 * (payment-sql.ts). The bench's clients call it exactly as they call the
 * service, so service / floor is what the service adds.
 *
 * `tsx bench/floor-server.ts` with DATABASE_URL, FLOOR_PORT, FLOOR_SCHOOL_ID (the
 * payments' school) and files of the service's responses: FLOOR_HIT_RESPONSE
 * (GetStudentStatementResponse) and FLOOR_SCHOOL_RESPONSE (GetSchoolStatementResponse,
 * first page); prints `floor listening` when ready.
 */
import { readFile } from 'node:fs/promises';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import pg from 'pg';
import { CreatePaymentRequestSchema, CreatePaymentResponseSchema, PaymentStatus } from '../src/gen/billing/v1/payment_pb.js';
import { UpdateSchoolRequestSchema } from '../src/gen/billing/v1/school_pb.js';
import {
  GetSchoolStatementRequestSchema,
  GetSchoolStatementResponseSchema,
  GetStudentStatementRequestSchema,
} from '../src/gen/billing/v1/statement_pb.js';
import { DEFAULT_PAGE_SIZE } from '../src/domain/page.js';
import { preparedQuery } from '../src/infrastructure/postgres/sql.js';
import { SCHOOL, SCHOOL_FIGURES } from '../src/infrastructure/postgres/statement-queries.js';
import { payBySql } from './payment-sql.js';

const raw = (path: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: (bytes) => bytes,
  requestDeserialize: (bytes) => bytes,
  responseSerialize: (bytes) => bytes,
  responseDeserialize: (bytes) => bytes,
});

async function main(): Promise<void> {
  const hitResponse = await readFile(process.env.FLOOR_HIT_RESPONSE!);
  const schoolResponse = await readFile(process.env.FLOOR_SCHOOL_RESPONSE!);
  const asOf = fromBinary(GetSchoolStatementResponseSchema, schoolResponse).statement!.asOfDate;
  // One connection each, as the service's calls at concurrency 1 use one at a time.
  const reads = new pg.Client({ connectionString: process.env.DATABASE_URL });
  const writes = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await Promise.all([reads.connect(), writes.connect()]);

  const hit: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const { studentId } = fromBinary(GetStudentStatementRequestSchema, call.request);
    reads.query({ name: 'version', text: 'SELECT id, data_version FROM students WHERE id = $1', values: [studentId] }).then(
      () => {
        call.sendMetadata(metadata('hit'));
        callback(null, hitResponse);
      },
      (error: Error) => callback({ code: grpc.status.INTERNAL, details: error.message }),
    );
  };

  const school: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const { schoolId } = fromBinary(GetSchoolStatementRequestSchema, call.request);
    const figures = { schoolId, asOf, afterOutstanding: null, afterId: null, limit: DEFAULT_PAGE_SIZE + 1 };
    (async () => {
      // The service's own statements, prepared as it prepares them (sql.ts): the school for
      // its timezone, then the figures with the school in one statement, its own snapshot.
      await reads.query(preparedQuery(SCHOOL, { schoolId }));
      await reads.query(preparedQuery(SCHOOL_FIGURES, figures));
    })().then(
      () => {
        call.sendMetadata(metadata('miss'));
        callback(null, schoolResponse);
      },
      (error: Error) => callback({ code: grpc.status.INTERNAL, details: error.message }),
    );
  };

  const updateSchool: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const { id, name } = fromBinary(UpdateSchoolRequestSchema, call.request);
    writes.query({ name: 'update-school', text: 'UPDATE schools SET name = $2, data_version = data_version + 1, updated_at = now() WHERE id = $1', values: [id, name] }).then(
      () => callback(null, Buffer.alloc(0)),
      (error: Error) => callback({ code: grpc.status.INTERNAL, details: error.message }),
    );
  };

  const pay: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const request = fromBinary(CreatePaymentRequestSchema, call.request);
    const now = new Date();
    const id = crypto.randomUUID();
    payBySql(writes, { id, studentId: request.studentId, schoolId: process.env.FLOOR_SCHOOL_ID!, amountMinor: request.amountMinor, now }).then(
      (paid) => {
        const at = timestampFromDate(now);
        const payment = {
          id,
          schoolId: process.env.FLOOR_SCHOOL_ID!,
          studentId: request.studentId,
          amountMinor: request.amountMinor,
          paidAt: at,
          method: request.method,
          allocations: paid.allocations,
          appliedMinor: paid.appliedMinor,
          unappliedMinor: request.amountMinor - paid.appliedMinor,
          status: PaymentStatus.COMPLETED,
          createdAt: at,
          updatedAt: at,
        };
        callback(null, Buffer.from(toBinary(CreatePaymentResponseSchema, create(CreatePaymentResponseSchema, { payment }))));
      },
      (error: Error) => callback({ code: grpc.status.INTERNAL, details: error.message }),
    );
  };

  const server = new grpc.Server();
  server.addService(
    {
      getStudentStatement: raw('/billing.v1.StatementService/GetStudentStatement'),
      getSchoolStatement: raw('/billing.v1.StatementService/GetSchoolStatement'),
      updateSchool: raw('/billing.v1.SchoolService/UpdateSchool'),
      createPayment: raw('/billing.v1.PaymentService/CreatePayment'),
    },
    { getStudentStatement: hit, getSchoolStatement: school, updateSchool, createPayment: pay },
  );
  await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${process.env.FLOOR_PORT}`, grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
  );
  process.stdout.write('floor listening\n');
  process.once('SIGTERM', () => {
    server.forceShutdown();
    void Promise.all([reads.end(), writes.end()]).then(() => process.exit(0));
  });
}

function metadata(status: string): grpc.Metadata {
  const value = new grpc.Metadata();
  value.set('x-cache-status', status);
  return value;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
