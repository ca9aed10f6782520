/**
 * The JSON statement codec and the envelope, without Redis: exact round
 * trips (deep-equal, bigints past 2^53, nulls, every enum value), payloads
 * that are not this shape rejected, and the envelope header as the fill
 * script reads it.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import type { CalendarDate } from '../../../src/domain/calendar-date.js';
import type { InvoiceId, PaymentId, SchoolId, StudentId } from '../../../src/domain/ids.js';
import { INVOICE_STATUSES } from '../../../src/domain/invoice.js';
import { PAYMENT_METHODS } from '../../../src/domain/payment.js';
import type { SchoolStatement, StudentStatement } from '../../../src/domain/statement.js';
import { STUDENT_STATUSES } from '../../../src/domain/student.js';
import {
  DEFAULT_COMPRESSION_THRESHOLD_BYTES,
  compareStamps,
  packEnvelope,
  parseHeader,
  unpackEnvelope,
} from '../../../src/infrastructure/cache/envelope.js';
import { JsonStatementCodec } from '../../../src/infrastructure/cache/json-statement-codec.js';
import { sampleSchoolStatement, sampleStudentStatement } from './statement-samples.js';

const codec = new JsonStatementCodec();

const bigints = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const instant = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59.999Z'), noInvalidDate: true });
const calendarDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10) as CalendarDate);
const uuid = fc.uuid();
const aging = fc.record({
  currentMinor: bigints,
  days1To30Minor: bigints,
  days31To60Minor: bigints,
  days61To90Minor: bigints,
  daysOver90Minor: bigints,
});
const totals = fc.record({
  invoicedMinor: bigints,
  appliedMinor: bigints,
  outstandingMinor: bigints,
  receivedMinor: bigints,
  creditMinor: bigints,
  netBalanceMinor: bigints,
  overdueMinor: bigints,
  invoiceCount: bigints,
  unpaidCount: bigints,
  partiallyPaidCount: bigints,
  paidCount: bigints,
  voidCount: bigints,
  overdueCount: bigints,
  aging,
});

const studentStatements: fc.Arbitrary<StudentStatement> = fc.record({
  student: fc.record({
    id: uuid.map((id) => id as StudentId),
    schoolId: uuid.map((id) => id as SchoolId),
    firstName: text,
    lastName: text,
    email: fc.option(fc.emailAddress(), { nil: null }),
    externalRef: fc.option(text, { nil: null }),
    status: fc.constantFrom(...STUDENT_STATUSES),
    createdAt: instant,
    updatedAt: instant,
  }),
  currencyCode: fc.constantFrom('EUR', 'USD', 'JPY', 'BHD'),
  asOfDate: calendarDate,
  generatedAt: instant,
  totals,
  invoices: fc.array(
    fc.record({
      invoiceId: uuid.map((id) => id as InvoiceId),
      number: text,
      description: text,
      issueDate: calendarDate,
      dueDate: calendarDate,
      amountMinor: bigints,
      appliedMinor: bigints,
      outstandingMinor: bigints,
      status: fc.constantFrom(...INVOICE_STATUSES),
      overdue: fc.boolean(),
      daysOverdue: fc.integer({ min: 0, max: 400_000 }),
    }),
    { maxLength: 15 },
  ),
  payments: fc.array(
    fc.record({
      paymentId: uuid.map((id) => id as PaymentId),
      paidAt: instant,
      method: fc.constantFrom(...PAYMENT_METHODS),
      amountMinor: bigints,
      appliedMinor: bigints,
      unappliedMinor: bigints,
      status: fc.constantFrom('COMPLETED' as const, 'REVERSED' as const),
    }),
    { maxLength: 15 },
  ),
});

const schoolStatements: fc.Arbitrary<SchoolStatement> = fc.record({
  school: fc.record({
    id: uuid.map((id) => id as SchoolId),
    name: text,
    currencyCode: fc.constantFrom('EUR', 'USD'),
    timezone: fc.constantFrom('Europe/Paris', 'America/New_York', 'UTC'),
    createdAt: instant,
    updatedAt: instant,
  }),
  currencyCode: fc.constantFrom('EUR', 'USD'),
  asOfDate: calendarDate,
  generatedAt: instant,
  totals,
  studentCount: bigints,
  activeStudentCount: bigints,
  studentsWithBalanceCount: bigints,
  studentsOverdueCount: bigints,
  rows: fc.array(
    fc.record({
      studentId: uuid.map((id) => id as StudentId),
      name: text,
      status: fc.constantFrom(...STUDENT_STATUSES),
      invoicedMinor: bigints,
      appliedMinor: bigints,
      outstandingMinor: bigints,
      creditMinor: bigints,
      overdueMinor: bigints,
    }),
    { maxLength: 20 },
  ),
  nextPageToken: fc.option(fc.base64String({ maxLength: 40 }), { nil: null }),
});

describe('JsonStatementCodec', () => {
  it('round-trips realistic statements exactly', () => {
    const student = sampleStudentStatement();
    expect(codec.decodeStudent(codec.encodeStudent(student))).to.deep.equal(student);
    for (const rows of [0, 1, 100, 1_000]) {
      const school = sampleSchoolStatement(rows);
      expect(codec.decodeSchool(codec.encodeSchool(school))).to.deep.equal(school);
    }
  });

  it('round-trips any student statement exactly (property)', () => {
    fc.assert(
      fc.property(studentStatements, (statement) => {
        expect(codec.decodeStudent(codec.encodeStudent(statement))).to.deep.equal(statement);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips any school statement exactly (property)', () => {
    fc.assert(
      fc.property(schoolStatements, (statement) => {
        expect(codec.decodeSchool(codec.encodeSchool(statement))).to.deep.equal(statement);
      }),
      { numRuns: 200 },
    );
  });

  it('writes bigints as decimal strings and instants as ISO UTC, never floats', () => {
    const statement = sampleStudentStatement();
    const big = { ...statement, totals: { ...statement.totals, invoicedMinor: 2n ** 63n - 1n } };
    const json = JSON.parse(codec.encodeStudent(big)) as { totals: { invoicedMinor: unknown }; generatedAt: unknown; invoices: { amountMinor: unknown }[] };
    expect(json.totals.invoicedMinor).to.equal('9223372036854775807');
    expect(json.invoices[0]?.amountMinor).to.equal('85000');
    expect(json.generatedAt).to.equal('2026-06-15T07:31:05.678Z');
    expect(codec.encodeStudent(big)).not.to.match(/\s"\s*:/);
  });

  it('rejects payloads of another shape, naming the field', () => {
    const good = JSON.parse(codec.encodeStudent(sampleStudentStatement())) as Record<string, unknown>;
    const broken = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });
    const totals = good.totals as Record<string, unknown>;
    const cases: [string, RegExp][] = [
      ['not json', /not JSON/],
      ['[]', /\$ is not an object/],
      [broken({ currencyCode: 1 }), /\$\.currencyCode/],
      [broken({ asOfDate: '2026-02-30' }), /\$\.asOfDate/],
      [broken({ generatedAt: 'yesterday' }), /\$\.generatedAt/],
      [broken({ totals: { ...totals, invoicedMinor: 1.5 } }), /\$\.totals\.invoicedMinor/],
      [broken({ totals: { ...totals, invoicedMinor: '1e3' } }), /\$\.totals\.invoicedMinor/],
      [broken({ invoices: [{}] }), /\$\.invoices\[0\]\.invoiceId/],
      [broken({ payments: {} }), /\$\.payments is not an array/],
      [broken({ student: { ...(good.student as object), status: 'EXPELLED' } }), /\$\.student\.status/],
    ];
    for (const [payload, message] of cases) expect(() => codec.decodeStudent(payload), payload.slice(0, 40)).to.throw(message);
    expect(() => codec.decodeSchool(codec.encodeStudent(sampleStudentStatement()))).to.throw(/\$\.school/);
  });
});

describe('cache envelope', () => {
  const stamp = { epoch: 12n, version: 2n ** 64n, asOfDate: '2026-06-15' };

  it('is a JSON header line then the payload; small payloads stay plain JSON', async () => {
    const value = await packEnvelope(stamp, '{"é":1}', DEFAULT_COMPRESSION_THRESHOLD_BYTES);
    expect(value.toString('utf8')).to.equal(
      '{"format":1,"epoch":"12","version":"18446744073709551616","asOf":"2026-06-15","encoding":"json"}\n{"é":1}',
    );
    expect(await unpackEnvelope(value)).to.deep.equal({ stamp, payload: '{"é":1}' });
  });

  it('gzips payloads above the threshold and says so in the header', async () => {
    const payload = JSON.stringify({ rows: 'x'.repeat(100) });
    const value = await packEnvelope(stamp, payload, 50);
    expect(parseHeader(value)?.header.encoding).to.equal('gzip+json');
    expect(await unpackEnvelope(value)).to.deep.equal({ stamp, payload });
    expect(parseHeader(await packEnvelope(stamp, payload, payload.length))?.header.encoding).to.equal('json');
  });

  it('treats other formats as absent', async () => {
    for (const value of ['', 'plain', '{"format":2,"epoch":"1","version":"1","asOf":"2026-01-01","encoding":"json"}\n{}', `${' '.repeat(2_000)}\n{}`]) {
      expect(await unpackEnvelope(Buffer.from(value))).to.equal(null);
    }
  });

  it('rejects a body that does not decompress', async () => {
    const header = '{"format":1,"epoch":"1","version":"1","asOf":"2026-01-01","encoding":"gzip+json"}\n';
    let failed = false;
    await unpackEnvelope(Buffer.from(`${header}not gzip`)).catch(() => {
      failed = true;
    });
    expect(failed).to.equal(true);
  });

  it('orders stamps by epoch, then version, then as-of date', () => {
    const s = (epoch: bigint, version: bigint, asOfDate: string) => ({ epoch, version, asOfDate });
    expect(compareStamps(s(1n, 9n, '2026-01-01'), s(2n, 0n, '2000-01-01'))).to.be.lessThan(0);
    expect(compareStamps(s(1n, 10n, '2026-01-01'), s(1n, 9n, '2027-01-01'))).to.be.greaterThan(0);
    expect(compareStamps(s(1n, 9n, '2026-01-02'), s(1n, 9n, '2026-01-01'))).to.be.greaterThan(0);
    expect(compareStamps(s(1n, 9n, '2026-01-01'), s(1n, 9n, '2026-01-01'))).to.equal(0);
  });
});
