import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fromBinary } from '@bufbuild/protobuf';
import { base64Decode } from '@bufbuild/protobuf/wire';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { expect } from 'chai';
import { SchoolService } from '../../src/gen/billing/v1/school_pb.js';
import { StatementService } from '../../src/gen/billing/v1/statement_pb.js';
import { StudentService } from '../../src/gen/billing/v1/student_pb.js';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { type Sample, parseExposition, valueOf } from '../support/prometheus-text.js';
import { type ServiceHarness, startServiceHarness } from '../support/service-harness.js';
import { freePort } from '../support/spawned-service.js';
import { bearer, testToken } from '../support/auth.js';

const run = promisify(execFile);
const UNKNOWN = '0b6a5f0e-1c1d-4e8e-9a53-6f0f3f5d1a22';

interface ConnectErrorBody {
  code: string;
  message: string;
  details?: { type: string; value: string }[];
}

describe('Connect, gRPC-Web and JSON listener (CONNECT_PORT)', function () {
  this.timeout(60_000);
  let h: ServiceHarness;
  let base: string;
  let metricsPort: number;

  before(async () => {
    metricsPort = await freePort();
    h = await startServiceHarness({ env: { CONNECT_PORT: '0', METRICS_PORT: String(metricsPort) } });
    expect(h.service.connectPort).to.be.a('number');
    base = `http://127.0.0.1:${h.service.connectPort}`;
  });
  after(async () => {
    await h?.close();
  });

  // The Connect listener runs the same authentication as the gRPC port.
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${h.token}`, ...headers },
      body: JSON.stringify(body),
    });

  it('serves the same services as JSON over HTTP/1.1, with response headers', async () => {
    const created = await post('billing.v1.SchoolService/CreateSchool', { name: 'North High', currencyCode: 'USD', timezone: 'America/New_York' });
    expect(created.status).to.equal(200);
    expect(created.headers.get('content-type')).to.equal('application/json');
    expect(created.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    const { school } = (await created.json()) as { school: { id: string; currencyCode: string } };
    expect(school.currencyCode).to.equal('USD');

    const enrolled = (await (await post('billing.v1.StudentService/CreateStudent', { schoolId: school.id, firstName: 'Ada', lastName: 'Lovelace' })).json()) as {
      student: { id: string };
    };
    const invoiced = await post('billing.v1.InvoiceService/CreateInvoice', {
      studentId: enrolled.student.id,
      description: 'Tuition',
      amountMinor: '150000',
      dueDate: '2030-01-31',
    });
    expect(((await invoiced.json()) as { invoice: { number: string } }).invoice.number).to.equal('INV-000001');

    const statuses: (string | null)[] = [];
    for (let i = 0; i < 2; i += 1) {
      const read = await post('billing.v1.StatementService/GetStudentStatement', { studentId: enrolled.student.id }, { 'x-request-id': `r${i}` });
      statuses.push(read.headers.get('x-cache-status'));
      expect(read.headers.get('x-request-id')).to.equal(`r${i}`);
      const { statement } = (await read.json()) as { statement: { totals: { outstandingMinor: string } } };
      expect(statement.totals.outstandingMinor).to.equal('150000');
    }
    expect(statuses).to.deep.equal(['miss', 'hit']);

    // What the gRPC port wrote, the Connect port reads, and the other way round.
    expect((await h.schools.getSchool({ id: school.id })).school!.name).to.equal('North High');
  });

  it('answers errors with the Connect code, the message and the ErrorInfo detail', async () => {
    const missing = await post('billing.v1.SchoolService/GetSchool', { id: UNKNOWN });
    const invalid = await post('billing.v1.SchoolService/CreateSchool', { name: 'X', currencyCode: 'usd', timezone: 'UTC' });
    const unknownField = await post('billing.v1.SchoolService/GetSchool', { nope: 1 });

    const bodies = (await Promise.all([missing.json(), invalid.json()])) as ConnectErrorBody[];
    expect([missing.status, invalid.status, unknownField.status]).to.deep.equal([404, 400, 400]);
    expect(bodies.map((body) => body.code)).to.deep.equal(['not_found', 'invalid_argument']);
    const info = (body: ConnectErrorBody) => {
      const detail = body.details!.find((d) => d.type === 'google.rpc.ErrorInfo')!;
      return fromBinary(ErrorInfoSchema, base64Decode(detail.value));
    };
    expect(info(bodies[0]!)).to.deep.include({ reason: 'SCHOOL_NOT_FOUND', domain: 'billing.v1' });
    expect(info(bodies[1]!).reason).to.equal('INVALID_CURRENCY');
    expect(missing.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('serves grpc.health.v1 Check as JSON', async () => {
    const response = await post('grpc.health.v1.Health/Check', {});
    expect(await response.json()).to.deep.equal({ status: 'SERVING' });
  });

  it('authenticates and authorizes exactly as the gRPC port does', async () => {
    const anonymous = await post('billing.v1.SchoolService/ListSchools', {}, { authorization: '' });
    const scoped = await post('billing.v1.SchoolService/CreateSchool', { name: 'x', currencyCode: 'USD', timezone: 'UTC' }, {
      authorization: `Bearer ${await testToken({ role: 'school', schoolIds: [UNKNOWN] })}`,
    });

    expect(anonymous.status).to.equal(401);
    expect(((await anonymous.json()) as { code: string }).code).to.equal('unauthenticated');
    expect(scoped.status).to.equal(403);
    expect(((await scoped.json()) as { code: string }).code).to.equal('permission_denied');
  });

  it('speaks binary Connect over HTTP/1.1 and HTTP/2, and gRPC-Web, to typed clients', async () => {
    const interceptors = [bearer(h.token)];
    const connect11 = createConnectTransport({ baseUrl: base, httpVersion: '1.1', useBinaryFormat: true, interceptors });
    const connect2 = createConnectTransport({ baseUrl: base, httpVersion: '2', useBinaryFormat: true, interceptors });
    const grpcWeb = createGrpcWebTransport({ baseUrl: base, httpVersion: '1.1', interceptors });

    const school = (await createClient(SchoolService, connect11).createSchool({ name: 'South High', currencyCode: 'EUR', timezone: 'Europe/Madrid' })).school!;
    const student = (await createClient(StudentService, connect2).createStudent({ schoolId: school.id, firstName: 'Alan', lastName: 'Turing' })).student!;
    let cacheStatus: string | null = null;
    const { statement } = await createClient(StatementService, grpcWeb).getStudentStatement(
      { studentId: student.id },
      { onHeader: (headers) => (cacheStatus = headers.get('x-cache-status')) },
    );

    expect(statement!.student!.lastName).to.equal('Turing');
    expect(cacheStatus).to.equal('miss');
    const refused = await createClient(SchoolService, grpcWeb)
      .getSchool({ id: UNKNOWN })
      .catch((error: unknown) => ConnectError.from(error));
    expect((refused as ConnectError).code).to.equal(Code.NotFound);
    expect((refused as ConnectError).findDetails(ErrorInfoSchema)[0]!.reason).to.equal('SCHOOL_NOT_FOUND');
  });

  it('works with curl as documented, and its calls are logged and counted by the same interceptors', async () => {
    const { stdout } = await run('curl', [
      '-sS',
      '-i',
      '-H',
      'Content-Type: application/json',
      '-H',
      `Authorization: Bearer ${h.token}`,
      '-d',
      '{"pageSize":5}',
      `${base}/billing.v1.SchoolService/ListSchools`,
    ]);
    expect(stdout).to.match(/^HTTP\/1\.1 200/);
    expect(stdout).to.match(/^x-request-id: /m);
    expect(stdout).to.include('"schools"');

    const samples: Sample[] = parseExposition(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
    expect(
      valueOf(samples, 'grpc_server_handled_total', {
        grpc_service: 'billing.v1.SchoolService',
        grpc_method: 'ListSchools',
        grpc_code: 'OK',
      }),
    ).to.equal(1);
    expect(
      valueOf(samples, 'grpc_server_handled_total', { grpc_service: 'billing.v1.SchoolService', grpc_method: 'GetSchool', grpc_code: 'NotFound' }),
    ).to.equal(2);
  });
});
