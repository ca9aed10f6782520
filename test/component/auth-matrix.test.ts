import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { expect } from 'chai';
import { CacheAdminService } from '../../src/gen/billing/v1/cache_admin_pb.js';
import { PaymentMethod, PaymentService } from '../../src/gen/billing/v1/payment_pb.js';
import { SchoolService } from '../../src/gen/billing/v1/school_pb.js';
import { StatementService } from '../../src/gen/billing/v1/statement_pb.js';
import { StudentService } from '../../src/gen/billing/v1/student_pb.js';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../src/gen/grpc/health/v1/health_pb.js';
import { TEST_AUDIENCE, TEST_ISSUER, bearer, testToken } from '../support/auth.js';
import { billingV1Services } from '../support/billing-descriptors.js';
import { type GrpcHarness, given, startPostgresHarness } from '../support/grpc-harness.js';

/**
 * Every method of every billing.v1 service (read from the descriptors, so a
 * new RPC fails this test until it is given a row) × every kind of caller,
 * against the service as production wires it on PostgreSQL, each cell with
 * the exact code and reason it must answer.
 */

type Column = 'no token' | 'expired' | 'wrong signature' | 'alg none' | 'wrong audience' | 'other school' | 'unknown id' | 'own school' | 'admin' | 'admin, unknown id';
const COLUMNS: readonly Column[] = ['no token', 'expired', 'wrong signature', 'alg none', 'wrong audience', 'other school', 'unknown id', 'own school', 'admin', 'admin, unknown id'];

/** What a request names: the caller's own school's resources, another school's, or ids that do not exist. */
type Target = 'own' | 'other' | 'unknown';
type Outcome = 'OK' | `${keyof typeof Code} ${string}`;

interface World {
  readonly h: GrpcHarness;
  readonly own: { school: string; student: string; invoice: string; payment: string };
  readonly other: { school: string; student: string; invoice: string; payment: string };
}

const UNKNOWN = '0198a8e2-7c1b-7000-8000-0000000000ff';

interface Row {
  /** The request naming `target`; may create what it names (deletes get fresh rows). Admin columns use `own` and `unknown`. */
  readonly request: (world: World, target: Target, column: Column) => Promise<object> | object;
  /** own / other / unknown for the school caller; admin, admin on unknown ids. */
  readonly expect: { own: Outcome; other: Outcome; unknown: Outcome; admin: Outcome; adminUnknown: Outcome };
}

const DENIED = 'PermissionDenied ACCESS_DENIED';
const ADMIN_ONLY = 'PermissionDenied ADMIN_REQUIRED';
const scoped = (notFound: string): Row['expect'] => ({ own: 'OK', other: DENIED, unknown: DENIED, admin: 'OK', adminUnknown: `NotFound ${notFound}` });
const adminOnly = (adminUnknown: Outcome): Row['expect'] => ({ own: ADMIN_ONLY, other: ADMIN_ONLY, unknown: ADMIN_ONLY, admin: 'OK', adminUnknown });

const pick = (world: World, target: Target) => (target === 'own' ? world.own : target === 'other' ? world.other : null);
const schoolOf = (w: World, t: Target) => pick(w, t)?.school ?? UNKNOWN;
const studentOf = (w: World, t: Target) => pick(w, t)?.student ?? UNKNOWN;
const invoiceOf = (w: World, t: Target) => pick(w, t)?.invoice ?? UNKNOWN;
const paymentOf = (w: World, t: Target) => pick(w, t)?.payment ?? UNKNOWN;

async function freshStudent(w: World, t: Target): Promise<string> {
  return t === 'unknown' ? UNKNOWN : (await given(w.h).student(schoolOf(w, t), { firstName: 'Fresh' })).id;
}

const ROWS: Readonly<Record<string, Row>> = {
  'billing.v1.SchoolService/CreateSchool': {
    request: () => ({ name: 'New School', currencyCode: 'USD', timezone: 'UTC' }),
    expect: adminOnly('OK'),
  },
  'billing.v1.SchoolService/GetSchool': { request: (w, t) => ({ id: schoolOf(w, t) }), expect: scoped('SCHOOL_NOT_FOUND') },
  'billing.v1.SchoolService/ListSchools': {
    request: () => ({}),
    // Every caller may list; a school caller sees only its schools (checked below).
    expect: { own: 'OK', other: 'OK', unknown: 'OK', admin: 'OK', adminUnknown: 'OK' },
  },
  'billing.v1.SchoolService/UpdateSchool': { request: (w, t) => ({ id: schoolOf(w, t), name: 'Renamed' }), expect: scoped('SCHOOL_NOT_FOUND') },
  'billing.v1.SchoolService/DeleteSchool': {
    // The admin deletes an empty school of its own making.
    request: async (w, t, column) =>
      column === 'admin' ? { id: (await given(w.h).school({ name: 'Empty' })).id } : { id: schoolOf(w, t) },
    expect: adminOnly('NotFound SCHOOL_NOT_FOUND'),
  },
  'billing.v1.StudentService/CreateStudent': {
    request: (w, t) => ({ schoolId: schoolOf(w, t), firstName: 'Grace', lastName: 'Hopper' }),
    expect: scoped('SCHOOL_NOT_FOUND'),
  },
  'billing.v1.StudentService/GetStudent': { request: (w, t) => ({ id: studentOf(w, t) }), expect: scoped('STUDENT_NOT_FOUND') },
  'billing.v1.StudentService/ListStudents': { request: (w, t) => ({ schoolId: schoolOf(w, t) }), expect: scoped('SCHOOL_NOT_FOUND') },
  'billing.v1.StudentService/UpdateStudent': { request: (w, t) => ({ id: studentOf(w, t), lastName: 'Byron' }), expect: scoped('STUDENT_NOT_FOUND') },
  'billing.v1.StudentService/DeleteStudent': { request: async (w, t) => ({ id: await freshStudent(w, t) }), expect: scoped('STUDENT_NOT_FOUND') },
  'billing.v1.InvoiceService/CreateInvoice': {
    request: (w, t) => ({ studentId: studentOf(w, t), description: 'Books', amountMinor: 100n, dueDate: '2026-04-30' }),
    expect: scoped('STUDENT_NOT_FOUND'),
  },
  'billing.v1.InvoiceService/GetInvoice': { request: (w, t) => ({ id: invoiceOf(w, t) }), expect: scoped('INVOICE_NOT_FOUND') },
  'billing.v1.InvoiceService/ListInvoices': { request: (w, t) => ({ schoolId: schoolOf(w, t) }), expect: scoped('SCHOOL_NOT_FOUND') },
  'billing.v1.InvoiceService/UpdateInvoice': { request: (w, t) => ({ id: invoiceOf(w, t), description: 'Changed' }), expect: scoped('INVOICE_NOT_FOUND') },
  'billing.v1.InvoiceService/DeleteInvoice': {
    request: async (w, t) =>
      t === 'unknown' ? { id: UNKNOWN } : { id: (await given(w.h).invoice(studentOf(w, t), 100n, '2026-04-30')).id },
    expect: scoped('INVOICE_NOT_FOUND'),
  },
  'billing.v1.PaymentService/CreatePayment': {
    request: (w, t) => ({ studentId: studentOf(w, t), amountMinor: 10n, method: PaymentMethod.CASH }),
    expect: scoped('STUDENT_NOT_FOUND'),
  },
  'billing.v1.PaymentService/GetPayment': { request: (w, t) => ({ id: paymentOf(w, t) }), expect: scoped('PAYMENT_NOT_FOUND') },
  'billing.v1.PaymentService/ListPayments': { request: (w, t) => ({ studentId: studentOf(w, t) }), expect: scoped('STUDENT_NOT_FOUND') },
  'billing.v1.PaymentService/DeletePayment': {
    request: async (w, t) => (t === 'unknown' ? { id: UNKNOWN } : { id: (await given(w.h).pay(studentOf(w, t), 5n)).id }),
    expect: scoped('PAYMENT_NOT_FOUND'),
  },
  'billing.v1.StatementService/GetStudentStatement': { request: (w, t) => ({ studentId: studentOf(w, t) }), expect: scoped('STUDENT_NOT_FOUND') },
  'billing.v1.StatementService/GetSchoolStatement': { request: (w, t) => ({ schoolId: schoolOf(w, t) }), expect: scoped('SCHOOL_NOT_FOUND') },
  'billing.v1.CacheAdminService/GetCacheStats': { request: () => ({}), expect: adminOnly('OK') },
  'billing.v1.CacheAdminService/InvalidateStatements': {
    request: (w, t) => ({ target: { case: 'studentId', value: studentOf(w, t) } }),
    // Dropping the keys of an id that does not exist drops nothing.
    expect: adminOnly('OK'),
  },
  'billing.v1.CacheAdminService/WarmStatements': { request: (w, t) => ({ schoolId: schoolOf(w, t) }), expect: adminOnly('NotFound SCHOOL_NOT_FOUND') },
};

function noneToken(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'mallory', role: 'admin', iss: TEST_ISSUER, aud: TEST_AUDIENCE, exp: now + 600 })}.`;
}

interface Answer {
  readonly outcome: Outcome;
  readonly message: string;
  readonly field: string | undefined;
}

async function invoke(h: GrpcHarness, token: string | null, service: DescService, method: DescMethod, request: object): Promise<Answer> {
  const client = createClient(service, createGrpcTransport({ baseUrl: h.baseUrl, interceptors: [bearer(token)] })) as unknown as Record<
    string,
    (request: object) => Promise<unknown>
  >;
  try {
    await client[method.localName]!(request);
    return { outcome: 'OK', message: '', field: undefined };
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    const [info] = error.findDetails(ErrorInfoSchema);
    return { outcome: `${Code[error.code] as keyof typeof Code} ${info?.reason ?? '(no reason)'}`, message: error.rawMessage, field: info?.metadata.field };
  }
}

describe('authentication and authorization matrix (PostgreSQL, production wiring)', function () {
  this.timeout(120_000);
  let h: GrpcHarness;
  let world: World;
  let tokens: Record<Column, string | null>;

  before(async () => {
    h = await startPostgresHarness();
    const g = given(h);
    const account = async (name: string) => {
      const school = await g.school({ name });
      const student = await g.student(school.id);
      const invoice = await g.invoice(student.id, 1000n, '2026-04-30');
      const payment = await g.pay(student.id, 100n);
      return { school: school.id, student: student.id, invoice: invoice.id, payment: payment.id };
    };
    world = { h, own: await account('Own School'), other: await account('Other School') };
    const now = Math.floor(Date.now() / 1000);
    const ownSchool = { role: 'school' as const, schoolIds: [world.own.school], subject: 'portal-a' };
    tokens = {
      'no token': null,
      expired: await testToken({ ...ownSchool, now: new Date((now - 7200) * 1000), expiresInSeconds: 3600 }),
      'wrong signature': await testToken({ ...ownSchool, secret: 'not-the-service-secret-but-long-enough-0123' }),
      'alg none': noneToken(),
      'wrong audience': await testToken({ ...ownSchool, audience: 'another-service' }),
      'other school': await testToken(ownSchool),
      'unknown id': await testToken(ownSchool),
      'own school': await testToken(ownSchool),
      admin: await testToken({ role: 'admin', subject: 'ops' }),
      'admin, unknown id': await testToken({ role: 'admin', subject: 'ops' }),
    };
  });
  after(async () => h?.close());

  it('answers every method × caller with the exact code; out of scope and unknown look the same', async () => {
    const services = await billingV1Services();
    const missing = services.flatMap((s) => s.methods.map((m) => `${s.typeName}/${m.name}`)).filter((name) => !ROWS[name]);
    expect(missing, 'methods without a row in the matrix').to.deep.equal([]);

    const failures: string[] = [];
    let cells = 0;
    for (const service of services) {
      for (const method of service.methods) {
        const row = ROWS[`${service.typeName}/${method.name}`]!;
        const answers = new Map<Column, Answer>();
        for (const column of COLUMNS) {
          const target: Target = column === 'other school' ? 'other' : column === 'unknown id' || column === 'admin, unknown id' ? 'unknown' : 'own';
          const expected: Outcome =
            column === 'no token'
              ? 'Unauthenticated AUTH_TOKEN_MISSING'
              : column === 'expired'
                ? 'Unauthenticated AUTH_TOKEN_EXPIRED'
                : column === 'wrong signature' || column === 'alg none' || column === 'wrong audience'
                  ? 'Unauthenticated AUTH_TOKEN_INVALID'
                  : column === 'other school'
                    ? row.expect.other
                    : column === 'unknown id'
                      ? row.expect.unknown
                      : column === 'own school'
                        ? row.expect.own
                        : column === 'admin'
                          ? row.expect.admin
                          : row.expect.adminUnknown;
          const answer = await invoke(h, tokens[column], service, method, await row.request(world, target, column));
          answers.set(column, answer);
          cells += 1;
          if (answer.outcome !== expected) failures.push(`${service.name}/${method.name} × ${column}: expected ${expected}, got ${answer.outcome} (${answer.message})`);
        }
        // A school caller cannot tell another school's id from an id that does not exist.
        const other = answers.get('other school')!;
        const unknown = answers.get('unknown id')!;
        if (other.outcome !== 'OK' && JSON.stringify(other) !== JSON.stringify(unknown)) {
          failures.push(`${method.name}: other school ${JSON.stringify(other)} differs from unknown id ${JSON.stringify(unknown)}`);
        }
      }
    }
    console.log(`      auth matrix: ${services.reduce((n, s) => n + s.methods.length, 0)} methods × ${COLUMNS.length} callers = ${cells} calls`);
    expect(failures).to.deep.equal([]);
  });

  it('shows a school caller only its own schools', async () => {
    const client = createClient(SchoolService, createGrpcTransport({ baseUrl: h.baseUrl, interceptors: [bearer(tokens['own school'])] }));
    const { schools } = await client.listSchools({});
    expect(schools.map((school) => school.id)).to.deep.equal([world.own.school]);
    expect((await h.schools.listSchools({ pageSize: 1000 })).schools.length).to.be.greaterThan(1);
  });

  it('lets a school caller transfer a student only between two of its schools', async () => {
    const g = given(h);
    const target = await g.school({ name: 'Sister School' });
    const student = await g.student(world.own.school, { firstName: 'Moving' });
    const transfer = (token: string) => invoke(h, token, StudentService, StudentService.method.updateStudent, { id: student.id, schoolId: target.id });
    expect((await transfer(tokens['own school']!)).outcome).to.equal(DENIED);
    const both = await testToken({ role: 'school', schoolIds: [world.own.school, target.id], subject: 'district' });
    expect((await transfer(both)).outcome).to.equal('OK');
  });

  it('refuses explicit allocations to another school\'s invoice exactly like an unknown one', async () => {
    const pay = (invoiceId: string) =>
      invoke(h, tokens['own school'], PaymentService, PaymentService.method.createPayment, {
        studentId: world.own.student,
        amountMinor: 10n,
        method: PaymentMethod.CASH,
        allocations: [{ invoiceId, amountMinor: 10n }],
      });
    const outside = await pay(world.other.invoice);
    expect(outside).to.deep.equal({ outcome: DENIED, message: outside.message, field: 'allocations[0].invoice_id' });
    expect(await pay(UNKNOWN)).to.deep.equal(outside);
  });

  it('decides before any cache read: a refused statement call leaves the cache counters alone', async () => {
    const stats = async () => {
      const { stats } = await h.client(CacheAdminService).getCacheStats({});
      return JSON.stringify(stats, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    };
    await h.statements.getStudentStatement({ studentId: world.other.student });
    const before = await stats();
    for (let i = 0; i < 3; i += 1) {
      const answer = await invoke(h, tokens['other school'], StatementService, StatementService.method.getStudentStatement, {
        studentId: world.other.student,
      });
      expect(answer.outcome).to.equal(DENIED);
    }
    expect(await stats()).to.equal(before);
  });

  it('keeps health callable without a token', async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: h.baseUrl }));
    expect((await health.check({ service: '' })).status).to.equal(HealthCheckResponse_ServingStatus.SERVING);
  });
});
