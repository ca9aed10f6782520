import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { GetSchool } from '../../src/application/school/get-school.js';
import { CreateSchoolRequestSchema, CreateSchoolResponseSchema, GetSchoolRequestSchema } from '../../src/gen/billing/v1/school_pb.js';
import { BadRequestSchema, ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { StatusSchema } from '../../src/gen/google/rpc/status_pb.js';
import { logInternalError } from '../../src/interface/grpc/errors.js';
import { bearerMetadata } from '../support/auth.js';
import { type GrpcHarness, describeEachBackend, expectError, startHarness } from '../support/grpc-harness.js';
import { rawUnary } from '../support/grpc-raw.js';

const CREATE_SCHOOL = '/billing.v1.SchoolService/CreateSchool';

/** The google.rpc.Status a raw gRPC client finds in the trailers. */
function statusDetails(trailers: grpc.Metadata | undefined) {
  const values = trailers?.get('grpc-status-details-bin') ?? [];
  expect(values, 'grpc-status-details-bin trailer').to.have.length(1);
  expect(Buffer.isBuffer(values[0])).to.equal(true);
  return fromBinary(StatusSchema, values[0] as Buffer);
}

describeEachBackend('gRPC errors on the wire', (backend) => {
  let h: GrpcHarness;
  backend.useHarness((started) => (h = started));

  describe('requests the server cannot parse', () => {
    const malformed: [string, number[]][] = [
      ['a truncated length-delimited field', [0x0a, 0x7f, 0x41]],
      ['an invalid wire type', [0x0f, 0x01]],
      ['a truncated varint', [0x18, 0xff, 0xff]],
      ['invalid UTF-8 in a string field (name)', [0x0a, 0x02, 0xc3, 0x28, 0x12, 0x03, 0x55, 0x53, 0x44, 0x1a, 0x03, 0x55, 0x54, 0x43]],
      ['a lone UTF-16 surrogate encoded in a string', [0x0a, 0x03, 0xed, 0xa0, 0x80]],
    ];
    for (const [name, bytes] of malformed) {
      it(`answers INVALID_ARGUMENT MALFORMED_REQUEST for ${name}, changing nothing`, async () => {
        const before = await h.snapshot();
        const { status, response } = await rawUnary(h.port, CREATE_SCHOOL, Uint8Array.from(bytes), bearerMetadata(h.token));
        expect(status.code).to.equal(grpc.status.INVALID_ARGUMENT);
        expect(response).to.equal(null);
        expect(status.details).to.match(/^the request is not a valid billing\.v1\.CreateSchoolRequest/);
        const details = statusDetails(status.metadata);
        expect(details.code).to.equal(grpc.status.INVALID_ARGUMENT);
        expect(details.message).to.equal(status.details);
        const info = anyUnpack(details.details[0]!, ErrorInfoSchema);
        expect(info).to.include({ reason: 'MALFORMED_REQUEST', domain: 'billing.v1' });
        expect(await h.snapshot()).to.equal(before);
        expect(h.internalErrors).to.deep.equal([]);
      });
    }

    it('parses what it is sent itself: well-formed bytes from a raw client work', async () => {
      const request = toBinary(CreateSchoolRequestSchema, create(CreateSchoolRequestSchema, { name: 'Ünïcode ✓', currencyCode: 'EUR', timezone: 'UTC' }));
      const { status, response } = await rawUnary(h.port, CREATE_SCHOOL, request, bearerMetadata(h.token));
      expect(status.code).to.equal(grpc.status.OK);
      expect(fromBinary(CreateSchoolResponseSchema, response!).school!.name).to.equal('Ünïcode ✓');
    });
  });

  describe('rich error details', () => {
    it('are sent by grpc-js in the grpc-status-details-bin trailer: ErrorInfo and BadRequest', async () => {
      const request = toBinary(GetSchoolRequestSchema, create(GetSchoolRequestSchema, { id: 'not-a-uuid' }));
      const { status } = await rawUnary(h.port, '/billing.v1.SchoolService/GetSchool', request, bearerMetadata(h.token));
      expect(status.code).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(status.details).to.equal('id must be a UUID');
      const details = statusDetails(status.metadata);
      expect(details.details.map((d) => d.typeUrl)).to.deep.equal([
        'type.googleapis.com/google.rpc.ErrorInfo',
        'type.googleapis.com/google.rpc.BadRequest',
      ]);
      expect(anyUnpack(details.details[0]!, ErrorInfoSchema)).to.deep.include({
        reason: 'INVALID_UUID',
        domain: 'billing.v1',
        metadata: { field: 'id' },
      });
      expect(anyUnpack(details.details[1]!, BadRequestSchema)!.fieldViolations.map((v) => [v.field, v.reason, v.description])).to.deep.equal([
        ['id', 'INVALID_UUID', 'id must be a UUID'],
      ]);
    });

    it('carry no BadRequest for other codes', async () => {
      const error = await expectError(h.schools.getSchool({ id: '0b6a5f0e-1c1d-4e8e-9a53-6f0f3f5d1a22' }), {
        code: Code.NotFound,
        reason: 'SCHOOL_NOT_FOUND',
        field: 'id',
      });
      expect(error.rawMessage).to.equal('school not found');
      expect(error.findDetails(BadRequestSchema)).to.deep.equal([]);
    });
  });

  if (backend.name === 'postgres') {
    // Only a real database fails for real: here a table is missing, as after a broken migration.
    describe('a bug in the database', () => {
      it('is INTERNAL "internal error" with no detail for the caller, and logged with the procedure', async () => {
        const sql = h.database!.sequelize;
        await sql.query('ALTER TABLE schools RENAME TO schools_gone');
        let caught: unknown;
        try {
          await h.schools.getSchool({ id: '0b6a5f0e-1c1d-4e8e-9a53-6f0f3f5d1a22' });
        } catch (error) {
          caught = error;
        } finally {
          await sql.query('ALTER TABLE schools_gone RENAME TO schools');
        }
        expect(caught).to.be.instanceOf(ConnectError);
        const error = caught as ConnectError;
        expect(error.code).to.equal(Code.Internal);
        expect(error.rawMessage).to.equal('internal error');
        expect(error.details).to.deep.equal([]);
        expect(JSON.stringify(error.metadata ? [...error.metadata] : [])).to.not.contain('schools');
        expect(h.internalErrors).to.have.length(1);
        expect(h.internalErrors[0]!.procedure).to.equal('/billing.v1.SchoolService/GetSchool');
        expect((h.internalErrors[0]!.error as { message: string }).message).to.equal('relation "schools" does not exist');
      });
    });
  }
});

// A use case swapped for a throwing double: only the in-memory backend is built from replaceable use cases.
describe('gRPC errors on the wire (in-memory, use case double)', () => {
  let h: GrpcHarness;
  afterEach(() => h.close());

  describe('a bug', () => {
    const secret = 'relation "schools" does not exist: SELECT * FROM schools WHERE id = $1';
    beforeEach(async () => {
      const getSchool = { execute: () => Promise.reject(new Error(secret)) } as unknown as GetSchool;
      h = await startHarness({ override: { getSchool } });
    });

    it('is INTERNAL "internal error" with no detail for the caller, and reported with the procedure', async () => {
      let caught: unknown;
      try {
        await h.schools.getSchool({ id: '0b6a5f0e-1c1d-4e8e-9a53-6f0f3f5d1a22' });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(ConnectError);
      const error = caught as ConnectError;
      expect(error.code).to.equal(Code.Internal);
      expect(error.rawMessage).to.equal('internal error');
      expect(error.details).to.deep.equal([]);
      expect(JSON.stringify(error.metadata ? [...error.metadata] : [])).to.not.contain('SELECT');
      expect(h.internalErrors).to.have.length(1);
      expect(h.internalErrors[0]!.procedure).to.equal('/billing.v1.SchoolService/GetSchool');
      expect((h.internalErrors[0]!.error as Error).message).to.equal(secret);
    });
  });
});

describe('INTERNAL error reporting', () => {
  it('the default reporter writes one JSON line to stderr', () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      logInternalError(new Error('boom'), '/billing.v1.SchoolService/GetSchool');
    } finally {
      process.stderr.write = original;
    }
    expect(written).to.have.length(1);
    expect(written[0]!.endsWith('\n')).to.equal(true);
    expect(written[0]!.trimEnd()).to.not.contain('\n');
    const line = JSON.parse(written[0]!) as { level: string; msg: string; procedure: string; error: { message: string; stack: string } };
    expect(line).to.include({ level: 'error', msg: 'internal error', procedure: '/billing.v1.SchoolService/GetSchool' });
    expect(line.error.message).to.equal('boom');
    expect(line.error.stack).to.contain('boom');
  });
});
