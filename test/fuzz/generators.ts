/**
 * fast-check generators of request bytes for every billing.v1 RPC:
 * (a) valid-shape messages (built with protobuf-es, then sometimes edited
 * byte by byte) whose fields hold hostile values — NUL and control
 * characters, invalid UTF-8, blank and over-long strings, huge, negative
 * and zero int64, unknown enum numbers, bad UUIDs and dates, duplicate
 * allocation targets, random page tokens, out-of-range timestamps, unknown
 * fields, repeated fields; (b) arbitrary byte strings, random or derived
 * from a valid encoding by truncation, bit flips and insertions.
 *
 * A generated case never changes stored rows: a request the oracle finds
 * valid for a write is pointed at an id that does not exist.
 */
import { type DescMessage, ScalarType, create, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { FIXTURE_KEY, METHODS, type MethodInfo, type World, expectedFor } from './oracle.js';

export interface FuzzCase {
  readonly method: MethodInfo;
  readonly bytes: Uint8Array;
  /** How it was made, for the report: 'shape' (a) or 'bytes' (b). */
  readonly family: 'shape' | 'bytes';
  readonly note: string;
}

const UNKNOWN_ID = '0198f0a0-0000-7000-8000-0000000000ff';
type Init = Record<string, unknown>;

// ---- hostile values ----

const controls = fc.constantFrom('\u0000', '\u0001', '\u0007', '\u000b', '\u001b', '\u007f', '\u0085', '\u009f', '\n', '\t', '\r');
const withInserted = (inserted: fc.Arbitrary<string>) =>
  fc.tuple(fc.string({ maxLength: 20 }), inserted, fc.string({ maxLength: 20 })).map(([a, b, c]) => `${a}${b}${c}`);
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => `x${String.fromCharCode(code)}y`);

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  withInserted(controls),
  fc.constantFrom('', ' ', '   ', '\u00a0', '\u2028', '\ufeff', 'Ada', 'Ünïcode ✓', '😀'.repeat(100), 'a'.repeat(100), 'a'.repeat(101)),
  fc.integer({ min: 95, max: 1105 }).map((n) => 'x'.repeat(n)),
  loneSurrogate,
);

const validUuid = fc.uuid();
export const badId: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.constant(''),
  validUuid.map((u) => `${u}x`),
  validUuid.map((u) => u.replace(/-/g, '')),
  validUuid.map((u) => `{${u}}`),
  validUuid.map((u) => ` ${u}`),
  validUuid.map((u) => `${u.slice(0, -1)}g`),
  validUuid.map((u) => `${u.slice(0, 8)}\u0000${u.slice(9)}`),
);

function idOf(existing: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...existing), weight: 4 },
    { arbitrary: fc.constantFrom(...existing).map((id) => id.toUpperCase()), weight: 1 },
    { arbitrary: validUuid, weight: 2 },
  );
}
const hostileIdOf = (existing: readonly string[]) => fc.oneof(idOf(existing), badId);

export const hostileInt64: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(0n, -1n, 1n, 299n, 300n, 700n, 701n, 10n ** 12n, 10n ** 12n + 1n, 2n ** 63n - 1n, -(2n ** 63n)),
  fc.bigInt({ min: 1n, max: 10n ** 12n }),
);
const hostileInt32 = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 100, 1000, 1001, 2 ** 31 - 1, -(2 ** 31)));
const hostileEnum = fc.oneof(fc.integer({ min: -3, max: 8 }), fc.integer());

const validDate = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const hostileDate = fc.oneof(
  validDate,
  fc.constantFrom('', '2026-02-29', '2024-02-29', '1899-12-31', '1900-01-01', '2026-13-01', '2026-00-10', '2026-04-31', '10000-01-01', '2026-1-1'),
  fc.constantFrom(' 2026-01-01', '2026-01-01T00:00:00Z', '2026/01/01', '٢٠٢٦-٠١-٠١', '2026-03-10', '2026-03-11', '2026-02-28'),
  fc.string({ maxLength: 12 }),
);
const hostileToken = fc
  .oneof(fc.string({ minLength: 1 }), fc.base64String({ minLength: 4, maxLength: 60 }), fc.constantFrom('offset:abc', 'eyJ9', '=', 'null'))
  .filter((token) => token !== '' && !/^offset:\d+$/.test(token));
const hostileKey = fc.oneof(fc.string(), fc.string({ minLength: 250, maxLength: 300 }), fc.constantFrom(FIXTURE_KEY, '', 'é', 'a\u0000', ' ', '~'.repeat(255), 'k'.repeat(256)));
const hostileCurrency = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('usd', 'US', 'USDD', 'XXX', 'EUR', '', 'ZZZ', ' USD', 'XAU'));
const hostileTimezone = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('+05:00', 'UTC+1', 'Europe/Paris', 'europe/paris', 'Mars/Olympus', '', 'Etc/GMT+5', 'GMT', ' UTC', 'US/Eastern', '../etc/passwd', 'Europe/Paris\u0000'),
);
const hostileEmail = fc.oneof(hostileText, fc.constantFrom('a@b.c', 'a@b', '@b.c', 'a b@c.d', 'a@b..c', 'ä@ö.ü', 'x'.repeat(250) + '@b.cd'));
const hostileTimestamp = fc.oneof(
  fc.record({ seconds: hostileInt64, nanos: hostileInt32 }),
  fc.integer({ min: Date.UTC(1890, 0, 1), max: Date.UTC(2027, 0, 1) }).map((ms) => ({ seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 })),
);

// ---- per-method shapes ----

interface Shape {
  readonly base: fc.Arbitrary<Init>;
  readonly fields: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  /** Makes a write that would succeed refer to nothing (or be invalid). */
  readonly neutralise?: (init: Init) => Init;
}

function shapes(w: World): Readonly<Record<string, Shape>> {
  const school = idOf([w.schoolId]);
  const student = idOf([w.studentId]);
  const invoice = idOf([w.invoiceId, w.voidInvoiceId]);
  const payment = idOf([w.paymentId, w.reversedPaymentId]);
  const anyOwnerId = hostileIdOf([w.studentId, w.schoolId]);
  const byId = (ids: fc.Arbitrary<string>, existing: readonly string[]): Shape => ({
    base: ids.map((id) => ({ id })),
    fields: { id: hostileIdOf(existing) },
    neutralise: (init) => ({ ...init, id: UNKNOWN_ID }),
  });
  const listByOwner: Shape = {
    base: fc.oneof(student.map((studentId) => ({ studentId })), school.map((schoolId) => ({ schoolId }))),
    fields: { studentId: fc.oneof(anyOwnerId, fc.constant('')), schoolId: fc.oneof(anyOwnerId, fc.constant('')), status: hostileEnum, pageSize: hostileInt32, pageToken: hostileToken },
  };
  const allocation = fc.record({ invoiceId: hostileIdOf([w.invoiceId, w.voidInvoiceId]), amountMinor: fc.oneof(hostileInt64, fc.bigInt({ min: 1n, max: 800n })) });
  const duplicateTargets = fc
    .tuple(invoice, fc.bigInt({ min: 1n, max: 400n }), fc.bigInt({ min: 1n, max: 400n }), fc.boolean())
    .map(([id, a, b, upper]) => [
      { invoiceId: id, amountMinor: a },
      { invoiceId: upper ? id.toUpperCase() : id, amountMinor: b },
    ]);
  return {
    '/billing.v1.SchoolService/CreateSchool': {
      base: fc.constant({ name: 'North High', currencyCode: 'USD', timezone: 'UTC' }),
      fields: { name: hostileText, currencyCode: hostileCurrency, timezone: hostileTimezone },
      neutralise: (init) => ({ ...init, name: '' }),
    },
    '/billing.v1.SchoolService/GetSchool': byId(school, [w.schoolId]),
    '/billing.v1.SchoolService/ListSchools': { base: fc.constant({}), fields: { pageSize: hostileInt32, pageToken: hostileToken } },
    '/billing.v1.SchoolService/UpdateSchool': { ...byId(school, [w.schoolId]), fields: { id: hostileIdOf([w.schoolId]), name: hostileText, timezone: hostileTimezone } },
    '/billing.v1.SchoolService/DeleteSchool': byId(school, [w.schoolId]),
    '/billing.v1.StudentService/CreateStudent': {
      base: school.map((schoolId) => ({ schoolId, firstName: 'Ada', lastName: 'Lovelace', email: '', externalRef: '', status: 0 })),
      fields: { schoolId: hostileIdOf([w.schoolId]), firstName: hostileText, lastName: hostileText, email: hostileEmail, externalRef: hostileText, status: hostileEnum },
      neutralise: (init) => ({ ...init, schoolId: UNKNOWN_ID }),
    },
    '/billing.v1.StudentService/GetStudent': byId(student, [w.studentId]),
    '/billing.v1.StudentService/ListStudents': {
      base: school.map((schoolId) => ({ schoolId })),
      fields: { schoolId: hostileIdOf([w.schoolId]), status: hostileEnum, pageSize: hostileInt32, pageToken: hostileToken },
    },
    '/billing.v1.StudentService/UpdateStudent': {
      ...byId(student, [w.studentId]),
      fields: {
        id: hostileIdOf([w.studentId]),
        firstName: hostileText,
        lastName: hostileText,
        email: hostileEmail,
        externalRef: hostileText,
        status: hostileEnum,
        schoolId: hostileIdOf([w.schoolId]),
      },
    },
    '/billing.v1.StudentService/DeleteStudent': byId(student, [w.studentId]),
    '/billing.v1.InvoiceService/CreateInvoice': {
      base: student.map((studentId) => ({ studentId, description: 'Fee', amountMinor: 100n, issueDate: '', dueDate: '2026-04-01', idempotencyKey: '' })),
      fields: { studentId: hostileIdOf([w.studentId]), description: hostileText, amountMinor: hostileInt64, issueDate: hostileDate, dueDate: hostileDate, idempotencyKey: hostileKey },
      neutralise: (init) => ({ ...init, studentId: UNKNOWN_ID }),
    },
    '/billing.v1.InvoiceService/GetInvoice': byId(invoice, [w.invoiceId, w.voidInvoiceId]),
    '/billing.v1.InvoiceService/ListInvoices': listByOwner,
    '/billing.v1.InvoiceService/UpdateInvoice': {
      ...byId(invoice, [w.invoiceId, w.voidInvoiceId]),
      fields: { id: hostileIdOf([w.invoiceId, w.voidInvoiceId]), description: hostileText, dueDate: hostileDate, amountMinor: hostileInt64 },
    },
    '/billing.v1.InvoiceService/DeleteInvoice': {
      ...byId(invoice, [w.invoiceId, w.voidInvoiceId]),
      base: fc.tuple(invoice, fc.boolean()).map(([id, releaseAllocations]) => ({ id, releaseAllocations })),
    },
    '/billing.v1.PaymentService/CreatePayment': {
      base: student.map((studentId) => ({ studentId, amountMinor: 500n, method: 1, reference: '', allocations: [], idempotencyKey: '' })),
      fields: {
        studentId: hostileIdOf([w.studentId]),
        amountMinor: hostileInt64,
        paidAt: hostileTimestamp,
        method: hostileEnum,
        reference: hostileText,
        allocations: fc.oneof(fc.array(allocation, { maxLength: 4 }), duplicateTargets),
        idempotencyKey: hostileKey,
      },
      neutralise: (init) => ({ ...init, studentId: UNKNOWN_ID }),
    },
    '/billing.v1.PaymentService/GetPayment': byId(payment, [w.paymentId, w.reversedPaymentId]),
    '/billing.v1.PaymentService/ListPayments': listByOwner,
    '/billing.v1.PaymentService/DeletePayment': byId(payment, [w.paymentId, w.reversedPaymentId]),
    '/billing.v1.StatementService/GetStudentStatement': { base: student.map((studentId) => ({ studentId })), fields: { studentId: hostileIdOf([w.studentId]) } },
    '/billing.v1.StatementService/GetSchoolStatement': {
      base: school.map((schoolId) => ({ schoolId })),
      fields: { schoolId: hostileIdOf([w.schoolId]), pageSize: hostileInt32, pageToken: hostileToken },
    },
    '/billing.v1.CacheAdminService/GetCacheStats': { base: fc.constant({}), fields: {} },
    '/billing.v1.CacheAdminService/InvalidateStatements': {
      base: fc.constant({ target: { case: 'all', value: true } }),
      fields: {
        target: fc.oneof(
          hostileIdOf([w.studentId]).map((value) => ({ case: 'studentId', value })),
          hostileIdOf([w.schoolId]).map((value) => ({ case: 'schoolId', value })),
          fc.boolean().map((value) => ({ case: 'all', value })),
          fc.constant({ case: undefined }),
        ),
      },
    },
    '/billing.v1.CacheAdminService/WarmStatements': { base: school.map((schoolId) => ({ schoolId })), fields: { schoolId: hostileIdOf([w.schoolId]) } },
  };
}

// ---- byte-level edits ----

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function lengthDelimited(fieldNo: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([...varint(fieldNo * 8 + 2), ...varint(payload.length), ...payload]);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function stringFields(desc: DescMessage): number[] {
  return desc.fields.filter((f) => f.fieldKind === 'scalar' && f.scalar === ScalarType.STRING).map((f) => f.number);
}

const invalidUtf8 = fc.constantFrom(
  [0xc3, 0x28],
  [0xa0, 0xa1],
  [0xe2, 0x28, 0xa1],
  [0xed, 0xa0, 0x80],
  [0xf0, 0x28, 0x8c, 0xbc],
  [0xff],
  [0xc0, 0xaf],
  [0x41, 0x80, 0x42],
);

type Edit = (bytes: Uint8Array, method: MethodInfo) => fc.Arbitrary<{ bytes: Uint8Array; note: string }>;

const EDITS: readonly Edit[] = [
  // An unknown field (any wire type that parses): ignored.
  (bytes) =>
    fc.tuple(fc.integer({ min: 100, max: 536_870_911 }), fc.uint8Array({ maxLength: 8 })).map(([no, payload]) => ({
      bytes: concat(bytes, lengthDelimited(no, payload)),
      note: 'unknown field',
    })),
  // Invalid UTF-8 in a string field: the request does not parse.
  (bytes, method) => {
    const fields = stringFields(method.input);
    if (fields.length === 0) return fc.constant({ bytes, note: 'no string field' });
    return fc.tuple(fc.constantFrom(...fields), invalidUtf8, fc.string({ maxLength: 5 })).map(([no, bad, prefix]) => ({
      bytes: concat(bytes, lengthDelimited(no, Uint8Array.from([...new TextEncoder().encode(prefix), ...bad]))),
      note: `invalid UTF-8 in field ${no}`,
    }));
  },
  // A string field sent twice: the last one wins.
  (bytes, method) => {
    const fields = stringFields(method.input);
    if (fields.length === 0) return fc.constant({ bytes, note: 'no string field' });
    return fc.tuple(fc.constantFrom(...fields), hostileText).map(([no, text]) => ({
      bytes: concat(bytes, lengthDelimited(no, new TextEncoder().encode(text))),
      note: `field ${no} repeated`,
    }));
  },
];

/** (a): a valid-shape message with hostile field values. */
export function shapedCase(world: World): fc.Arbitrary<FuzzCase> {
  const table = shapes(world);
  return fc.constantFrom(...METHODS).chain((method) => {
    const shape = table[method.path];
    if (!shape) throw new Error(`no generator for ${method.path}`);
    const names = Object.keys(shape.fields);
    const mutations =
      names.length === 0
        ? fc.constant([] as [string, unknown][])
        : fc
            .oneof({ arbitrary: fc.constant(1), weight: 6 }, { arbitrary: fc.constant(2), weight: 2 }, { arbitrary: fc.constant(3), weight: 1 })
            .chain((k) => fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: Math.min(k, names.length) }))
            .chain((chosen) => fc.tuple(...chosen.map((name) => shape.fields[name]!.map((value) => [name, value] as [string, unknown]))));
    return fc
      .tuple(shape.base, mutations, fc.option(fc.constantFrom(...EDITS), { freq: 4 }))
      .chain(([base, changes, edit]) => {
        let init: Init = { ...base, ...Object.fromEntries(changes) };
        let bytes = toBinary(method.input, create(method.input, init as never));
        if (expectedFor(method, bytes, world).verdict.kind === 'write') {
          if (!shape.neutralise) throw new Error(`${method.path}: a valid write was generated and cannot be neutralised`);
          init = shape.neutralise(init);
          bytes = toBinary(method.input, create(method.input, init as never));
        }
        const note = changes.map(([name]) => name).join('+') || 'base';
        if (edit === null) return fc.constant<FuzzCase>({ method, bytes, family: 'shape', note });
        return edit(bytes, method).map((edited) => ({ method, bytes: edited.bytes, family: 'shape' as const, note: `${note}; ${edited.note}` }));
      });
  });
}

/** (b): arbitrary bytes, random or a valid encoding damaged. */
export function byteCase(world: World): fc.Arbitrary<FuzzCase> {
  const random = fc.tuple(fc.constantFrom(...METHODS), fc.uint8Array({ maxLength: 300 })).map(([method, bytes]) => ({
    method,
    bytes,
    family: 'bytes' as const,
    note: 'random bytes',
  }));
  const damaged = shapedCase(world).chain((base) =>
    fc
      .oneof(
        fc.nat({ max: Math.max(0, base.bytes.length - 1) }).map((cut) => ({ bytes: base.bytes.slice(0, cut), note: `truncated at ${cut}` })),
        fc.tuple(fc.nat({ max: Math.max(0, base.bytes.length - 1) }), fc.integer({ min: 1, max: 255 })).map(([at, mask]) => {
          const bytes = Uint8Array.from(base.bytes);
          if (bytes.length > 0) bytes[at] = bytes[at]! ^ mask;
          return { bytes, note: `byte ${at} flipped` };
        }),
        fc.tuple(fc.nat({ max: base.bytes.length }), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, extra]) => ({
          bytes: Uint8Array.from([...base.bytes.slice(0, at), ...extra, ...base.bytes.slice(at)]),
          note: `${extra.length} bytes inserted at ${at}`,
        })),
      )
      .map((edited) => ({ method: base.method, bytes: edited.bytes, family: 'bytes' as const, note: edited.note })),
  );
  // A damaged write may, rarely, have become a valid one: never sent.
  return fc.oneof(random, damaged).filter((c) => expectedFor(c.method, c.bytes, world).verdict.kind !== 'write');
}

/** Both families: mostly (a), which reaches deeper; (b) makes sure any bytes at all are answered. */
export function anyCase(world: World): fc.Arbitrary<FuzzCase> {
  return (
    fc
      .oneof({ arbitrary: shapedCase(world), weight: 3 }, { arbitrary: byteCase(world), weight: 2 })
      // A byte edit (a repeated field) may, rarely, have made a write valid again: never sent.
      .filter((c) => expectedFor(c.method, c.bytes, world).verdict.kind !== 'write')
  );
}
