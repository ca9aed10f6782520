/**
 * What the service must answer to any request message of any billing.v1
 * RPC, written for the tests from docs/errors.md (the reasons and their
 * codes, the order of checks) — not from the service's validation code.
 *
 * Checks run in the documented stages: the ids the access rule reads, then
 * every other field whose validity does not depend on stored rows, then the
 * lookups (NOT_FOUND), then the rules that need the stored rows (fixtures in
 * a known state, see `World`). Within a stage the service may report any
 * failing field first, so the verdict lists every (reason, field) it may
 * answer; when exactly one field is wrong there is exactly one.
 */
import { type DescMessage, type DescService, fromBinary } from '@bufbuild/protobuf';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { CacheAdminService } from '../../src/gen/billing/v1/cache_admin_pb.js';
import { InvoiceService } from '../../src/gen/billing/v1/invoice_pb.js';
import { PaymentService } from '../../src/gen/billing/v1/payment_pb.js';
import { SchoolService } from '../../src/gen/billing/v1/school_pb.js';
import { StatementService } from '../../src/gen/billing/v1/statement_pb.js';
import { StudentService } from '../../src/gen/billing/v1/student_pb.js';

/** The fixtures every fuzz server holds, and the fixed clock. */
export interface World {
  readonly schoolId: string;
  readonly studentId: string;
  /** Open: 1000, applied 300 (by `paymentId`), issued 2026-03-01, due 2026-04-01. */
  readonly invoiceId: string;
  /** VOID, never paid. */
  readonly voidInvoiceId: string;
  /** COMPLETED, 300 CASH, no reference, applied to `invoiceId`, idempotency key `fixture-key`. */
  readonly paymentId: string;
  /** REVERSED. */
  readonly reversedPaymentId: string;
  /** The server clock, and today at the school (UTC). */
  readonly now: Date;
  readonly today: string;
}

export const FIXTURE_KEY = 'fixture-key';

export interface Violation {
  readonly reason: string;
  readonly field: string | null;
  /** When an answer may come with another code than the verdict's. */
  readonly code?: string;
}

export type Verdict =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly code: string; readonly options: readonly Violation[] }
  /** The request is valid and would change stored rows: a generator must never send it. */
  | { readonly kind: 'write' };

export const OK: Verdict = { kind: 'ok' };
const WRITE: Verdict = { kind: 'write' };
const fail = (code: string, reason: string, field: string | null): Verdict => ({ kind: 'error', code, options: [{ reason, field }] });

/** Every billing.v1 RPC, by path. */
export interface MethodInfo {
  readonly path: string;
  readonly service: DescService;
  readonly name: string;
  readonly input: DescMessage;
}

export const SERVICES: readonly DescService[] = [SchoolService, StudentService, InvoiceService, PaymentService, StatementService, CacheAdminService];

export const METHODS: readonly MethodInfo[] = SERVICES.flatMap((service) =>
  service.methods.map((method) => ({ path: `/${service.typeName}/${method.name}`, service, name: method.name, input: method.input })),
);

// ---- field rules, from docs/errors.md ----

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;
const LINE_BREAK = /[\n\t]/u;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_AMOUNT = 1_000_000_000_000n;
const MIN_TS_SECONDS = -62_135_596_800n;
const MAX_TS_SECONDS = 253_402_300_799n;
const EARLIEST_PAID_AT_MS = Date.UTC(1900, 0, 1);

export const STUDENT_STATUSES = new Set([1, 2, 3, 4]);
export const INVOICE_STATUSES = new Set([1, 2, 3, 4]);
export const PAYMENT_METHODS = new Set([1, 2, 3, 4, 5]);
export const PAYMENT_STATUSES = new Set([1, 2]);

export function normalisedId(value: string): string {
  return value.toLowerCase();
}

export function isDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isTimezone(value: string): boolean {
  if (!ZONE_NAME.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Collects the violations of one stage. */
class Stage {
  readonly found: Violation[] = [];

  private add(reason: string, field: string): void {
    this.found.push({ reason, field });
  }

  uuid(value: string, field: string): this {
    if (value === '') this.add('FIELD_REQUIRED', field);
    else if (!UUID.test(normalisedId(value))) this.add('INVALID_UUID', field);
    return this;
  }

  /** '' means not given. */
  optionalUuid(value: string, field: string): this {
    return value === '' ? this : this.uuid(value, field);
  }

  text(value: string | undefined, field: string, maxLength: number, options: { optional?: boolean; multiline?: boolean } = {}): this {
    if (value === undefined) return this;
    if (value.trim() === '') {
      if (!(options.optional && value === '')) this.add('FIELD_REQUIRED', field);
    } else if (CONTROL.test(value) || (!options.multiline && LINE_BREAK.test(value))) this.add('INVALID_TEXT', field);
    else if ([...value].length > maxLength) this.add('TEXT_TOO_LONG', field);
    return this;
  }

  email(value: string | undefined, field: string): this {
    if (value === undefined) return this;
    const before = this.found.length;
    this.text(value, field, 254, { optional: true });
    if (this.found.length === before && value !== '' && !EMAIL.test(value)) this.add('INVALID_EMAIL', field);
    return this;
  }

  currency(value: string, field: string): this {
    if (value === '') this.add('FIELD_REQUIRED', field);
    else if (!CURRENCIES.has(value)) this.add('INVALID_CURRENCY', field);
    return this;
  }

  timezone(value: string | undefined, field: string): this {
    if (value === undefined) return this;
    if (value === '') this.add('FIELD_REQUIRED', field);
    else if (!isTimezone(value)) this.add('INVALID_TIMEZONE', field);
    return this;
  }

  amount(value: bigint | undefined, field: string): this {
    if (value !== undefined && (value < 1n || value > MAX_AMOUNT)) this.add('INVALID_AMOUNT', field);
    return this;
  }

  date(value: string | undefined, field: string, required: boolean): this {
    if (value === undefined || (value === '' && !required)) return this;
    if (value === '') this.add('FIELD_REQUIRED', field);
    else if (!isDate(value)) this.add('INVALID_DATE', field);
    return this;
  }

  /** A value the request must set (UNSPECIFIED is invalid). */
  requiredEnum(value: number, known: ReadonlySet<number>, field: string): this {
    if (!known.has(value)) this.add('INVALID_ENUM', field);
    return this;
  }

  /** A filter or a defaulted value: UNSPECIFIED means "any" / the default. */
  filterEnum(value: number, known: ReadonlySet<number>, field: string): this {
    if (value !== 0 && !known.has(value)) this.add('INVALID_ENUM', field);
    return this;
  }

  /** A proto3 `optional` enum: unset is "unchanged", set it must name a value. */
  optionalEnum(value: number | undefined, known: ReadonlySet<number>, field: string): this {
    if (value !== undefined && !known.has(value)) this.add('INVALID_ENUM', field);
    return this;
  }

  idempotencyKey(value: string, field = 'idempotency_key'): this {
    if (value !== '' && !IDEMPOTENCY_KEY.test(value)) this.add('INVALID_IDEMPOTENCY_KEY', field);
    return this;
  }

  pageSize(value: number): this {
    if (value < 0) this.add('INVALID_PAGE_SIZE', 'page_size');
    return this;
  }

  paidAt(value: Timestamp | undefined, now: Date): this {
    if (value === undefined) return this;
    if (value.seconds < MIN_TS_SECONDS || value.seconds > MAX_TS_SECONDS || value.nanos < 0 || value.nanos > 999_999_999) {
      this.add('INVALID_TIMESTAMP', 'paid_at');
      return this;
    }
    const ms = Number(value.seconds) * 1000 + Math.floor(value.nanos / 1_000_000);
    if (ms < EARLIEST_PAID_AT_MS) this.add('INVALID_TIMESTAMP', 'paid_at');
    else if (ms > now.getTime() + 5 * 60_000) this.add('PAID_AT_IN_FUTURE', 'paid_at');
    return this;
  }

  custom(reason: string, field: string | null): this {
    this.found.push({ reason, field });
    return this;
  }

  get failed(): boolean {
    return this.found.length > 0;
  }

  verdict(): Verdict {
    return { kind: 'error', code: 'INVALID_ARGUMENT', options: this.found };
  }
}

/** The first stage with a violation decides. */
function stages(...checks: readonly ((stage: Stage) => void)[]): Verdict | null {
  for (const check of checks) {
    const stage = new Stage();
    check(stage);
    if (stage.failed) return stage.verdict();
  }
  return null;
}

const notFound = (reason: string, field: string) => fail('NOT_FOUND', reason, field);

// The messages as protobuf-es gives them (loosely typed: the oracle reads fields by name).
/* eslint-disable @typescript-eslint/no-explicit-any */
type Message = any;

function schoolExists(world: World, id: string) {
  return normalisedId(id) === world.schoolId;
}
function studentExists(world: World, id: string) {
  return normalisedId(id) === world.studentId;
}
function invoiceOf(world: World, id: string): 'open' | 'void' | null {
  const key = normalisedId(id);
  return key === world.invoiceId ? 'open' : key === world.voidInvoiceId ? 'void' : null;
}
function paymentOf(world: World, id: string): 'completed' | 'reversed' | null {
  const key = normalisedId(id);
  return key === world.paymentId ? 'completed' : key === world.reversedPaymentId ? 'reversed' : null;
}

/** Lists by exactly one owner (student or school); the page token is checked once the owner is found. */
function listByOwner(m: Message, world: World, statuses: ReadonlySet<number>): Verdict {
  return (
    stages(
      (s) => s.optionalUuid(m.studentId, 'student_id').optionalUuid(m.schoolId, 'school_id'),
      (s) => s.filterEnum(m.status, statuses, 'status').pageSize(m.pageSize),
      (s) => {
        if ((m.studentId === '') === (m.schoolId === '')) s.custom('INVALID_FILTER', 'student_id');
      },
    ) ??
    (m.studentId !== '' && !studentExists(world, m.studentId)
      ? notFound('STUDENT_NOT_FOUND', 'student_id')
      : m.schoolId !== '' && !schoolExists(world, m.schoolId)
        ? notFound('SCHOOL_NOT_FOUND', 'school_id')
        : pageToken(m.pageToken))
  );
}

function pageToken(token: string): Verdict {
  // No token a fuzz case sends was issued by the service.
  return token === '' ? OK : fail('INVALID_ARGUMENT', 'INVALID_PAGE_TOKEN', 'page_token');
}

type Rule = (m: Message, world: World) => Verdict;

const RULES: Readonly<Record<string, Rule>> = {
  // ---- SchoolService ----
  '/billing.v1.SchoolService/CreateSchool': (m) =>
    stages((s) => s.text(m.name, 'name', 200).currency(m.currencyCode, 'currency_code').timezone(m.timezone, 'timezone')) ?? WRITE,
  '/billing.v1.SchoolService/GetSchool': (m, w) =>
    stages((s) => s.uuid(m.id, 'id')) ?? (schoolExists(w, m.id) ? OK : notFound('SCHOOL_NOT_FOUND', 'id')),
  '/billing.v1.SchoolService/ListSchools': (m) => stages((s) => s.pageSize(m.pageSize)) ?? pageToken(m.pageToken),
  '/billing.v1.SchoolService/UpdateSchool': (m, w) =>
    stages(
      (s) => s.uuid(m.id, 'id'),
      (s) => s.text(m.name, 'name', 200).timezone(m.timezone, 'timezone'),
    ) ?? (schoolExists(w, m.id) ? WRITE : notFound('SCHOOL_NOT_FOUND', 'id')),
  // Admin-only: the access rule reads no id, the handler validates it.
  '/billing.v1.SchoolService/DeleteSchool': (m, w) =>
    stages((s) => s.uuid(m.id, 'id')) ??
    (schoolExists(w, m.id) ? fail('FAILED_PRECONDITION', 'SCHOOL_HAS_DEPENDENTS', 'id') : notFound('SCHOOL_NOT_FOUND', 'id')),

  // ---- StudentService ----
  '/billing.v1.StudentService/CreateStudent': (m, w) =>
    stages(
      (s) => s.uuid(m.schoolId, 'school_id'),
      (s) =>
        s
          .filterEnum(m.status, STUDENT_STATUSES, 'status')
          .text(m.firstName, 'first_name', 100)
          .text(m.lastName, 'last_name', 100)
          .email(m.email, 'email')
          .text(m.externalRef, 'external_ref', 100, { optional: true }),
    ) ?? (schoolExists(w, m.schoolId) ? WRITE : notFound('SCHOOL_NOT_FOUND', 'school_id')),
  '/billing.v1.StudentService/GetStudent': (m, w) =>
    stages((s) => s.uuid(m.id, 'id')) ?? (studentExists(w, m.id) ? OK : notFound('STUDENT_NOT_FOUND', 'id')),
  '/billing.v1.StudentService/ListStudents': (m, w) =>
    stages(
      (s) => s.uuid(m.schoolId, 'school_id'),
      (s) => s.filterEnum(m.status, STUDENT_STATUSES, 'status').pageSize(m.pageSize),
    ) ?? (schoolExists(w, m.schoolId) ? pageToken(m.pageToken) : notFound('SCHOOL_NOT_FOUND', 'school_id')),
  '/billing.v1.StudentService/UpdateStudent': (m, w) =>
    stages(
      (s) => {
        s.uuid(m.id, 'id');
        if (m.schoolId !== undefined) s.uuid(m.schoolId, 'school_id');
      },
      (s) =>
        s
          .text(m.firstName, 'first_name', 100)
          .text(m.lastName, 'last_name', 100)
          .email(m.email, 'email')
          .text(m.externalRef, 'external_ref', 100, { optional: true })
          .optionalEnum(m.status, STUDENT_STATUSES, 'status'),
    ) ??
    (!studentExists(w, m.id)
      ? notFound('STUDENT_NOT_FOUND', 'id')
      : m.schoolId !== undefined && !schoolExists(w, m.schoolId)
        ? notFound('SCHOOL_NOT_FOUND', 'school_id')
        : WRITE),
  '/billing.v1.StudentService/DeleteStudent': (m, w) =>
    stages((s) => s.uuid(m.id, 'id')) ??
    (studentExists(w, m.id) ? fail('FAILED_PRECONDITION', 'STUDENT_HAS_FINANCIAL_RECORDS', 'id') : notFound('STUDENT_NOT_FOUND', 'id')),

  // ---- InvoiceService ----
  '/billing.v1.InvoiceService/CreateInvoice': (m, w) => {
    const invalid = stages(
      (s) => s.uuid(m.studentId, 'student_id'),
      (s) =>
        s
          .amount(m.amountMinor, 'amount_minor')
          .date(m.issueDate, 'issue_date', false)
          .date(m.dueDate, 'due_date', true)
          .idempotencyKey(m.idempotencyKey)
          .text(m.description, 'description', 1000, { multiline: true }),
    );
    if (invalid) return invalid;
    if (!studentExists(w, m.studentId)) return notFound('STUDENT_NOT_FOUND', 'student_id');
    const issue = m.issueDate === '' ? w.today : m.issueDate;
    if (issue > w.today) return fail('INVALID_ARGUMENT', 'ISSUE_DATE_IN_FUTURE', 'issue_date');
    if (m.dueDate < issue) return fail('INVALID_ARGUMENT', 'DUE_DATE_BEFORE_ISSUE_DATE', 'due_date');
    return WRITE;
  },
  '/billing.v1.InvoiceService/GetInvoice': (m, w) =>
    stages((s) => s.uuid(m.id, 'id')) ?? (invoiceOf(w, m.id) ? OK : notFound('INVOICE_NOT_FOUND', 'id')),
  '/billing.v1.InvoiceService/ListInvoices': (m, w) => listByOwner(m, w, INVOICE_STATUSES),
  '/billing.v1.InvoiceService/UpdateInvoice': (m, w) => {
    const invalid = stages(
      (s) => s.uuid(m.id, 'id'),
      (s) => s.date(m.dueDate, 'due_date', true).amount(m.amountMinor, 'amount_minor').text(m.description, 'description', 1000, { multiline: true }),
    );
    if (invalid) return invalid;
    const invoice = invoiceOf(w, m.id);
    if (invoice === null) return notFound('INVOICE_NOT_FOUND', 'id');
    if (invoice === 'void') return fail('FAILED_PRECONDITION', 'INVOICE_VOID', 'id');
    if (m.amountMinor !== undefined && m.amountMinor < 300n) return fail('FAILED_PRECONDITION', 'INVOICE_AMOUNT_BELOW_APPLIED', 'amount_minor');
    if (m.dueDate !== undefined && m.dueDate < '2026-03-01') return fail('INVALID_ARGUMENT', 'DUE_DATE_BEFORE_ISSUE_DATE', 'due_date');
    return WRITE;
  },
  '/billing.v1.InvoiceService/DeleteInvoice': (m, w) => {
    const invalid = stages((s) => s.uuid(m.id, 'id'));
    if (invalid) return invalid;
    const invoice = invoiceOf(w, m.id);
    if (invoice === null) return notFound('INVOICE_NOT_FOUND', 'id');
    // Voiding again returns the invoice unchanged.
    if (invoice === 'void') return OK;
    return m.releaseAllocations ? WRITE : fail('FAILED_PRECONDITION', 'INVOICE_HAS_ALLOCATIONS', 'release_allocations');
  },

  // ---- PaymentService ----
  '/billing.v1.PaymentService/CreatePayment': (m, w) => {
    const allocations = m.allocations as { invoiceId: string; amountMinor: bigint }[];
    const invalid = stages(
      (s) => s.uuid(m.studentId, 'student_id'),
      (s) => {
        s.amount(m.amountMinor, 'amount_minor').paidAt(m.paidAt, w.now).requiredEnum(m.method, PAYMENT_METHODS, 'method');
        allocations.forEach((a, i) => s.uuid(a.invoiceId, `allocations[${i}].invoice_id`));
        s.idempotencyKey(m.idempotencyKey);
        const seen = new Set<string>();
        let clean = true;
        allocations.forEach((a, i) => {
          const before = s.found.length;
          s.amount(a.amountMinor, `allocations[${i}].amount_minor`);
          if (seen.has(normalisedId(a.invoiceId))) s.custom('DUPLICATE_ALLOCATION_TARGET', `allocations[${i}].invoice_id`);
          seen.add(normalisedId(a.invoiceId));
          if (s.found.length > before) clean = false;
        });
        if (clean && allocations.reduce((sum, a) => sum + a.amountMinor, 0n) > m.amountMinor) s.custom('ALLOCATIONS_EXCEED_PAYMENT', 'allocations');
        s.text(m.reference, 'reference', 200, { optional: true });
      },
    );
    if (invalid) return invalid;
    if (!studentExists(w, m.studentId)) return notFound('STUDENT_NOT_FOUND', 'student_id');
    if (m.idempotencyKey === FIXTURE_KEY) {
      const same = m.amountMinor === 300n && m.paidAt === undefined && m.method === 1 && m.reference === '' && allocations.length === 0;
      return same ? OK : fail('FAILED_PRECONDITION', 'IDEMPOTENCY_KEY_REUSED', 'idempotency_key');
    }
    for (const [i, a] of allocations.entries()) {
      const invoice = invoiceOf(w, a.invoiceId);
      if (invoice === null) return notFound('INVOICE_NOT_FOUND', `allocations[${i}].invoice_id`);
      if (invoice === 'void') return fail('FAILED_PRECONDITION', 'INVOICE_VOID', `allocations[${i}].invoice_id`);
      if (a.amountMinor > 700n) return fail('FAILED_PRECONDITION', 'ALLOCATION_EXCEEDS_OUTSTANDING', `allocations[${i}].amount_minor`);
    }
    return WRITE;
  },
  '/billing.v1.PaymentService/GetPayment': (m, w) =>
    stages((s) => s.uuid(m.id, 'id')) ?? (paymentOf(w, m.id) ? OK : notFound('PAYMENT_NOT_FOUND', 'id')),
  '/billing.v1.PaymentService/ListPayments': (m, w) => listByOwner(m, w, PAYMENT_STATUSES),
  '/billing.v1.PaymentService/DeletePayment': (m, w) => {
    const invalid = stages((s) => s.uuid(m.id, 'id'));
    if (invalid) return invalid;
    const payment = paymentOf(w, m.id);
    // Reversing again returns the payment unchanged.
    return payment === null ? notFound('PAYMENT_NOT_FOUND', 'id') : payment === 'reversed' ? OK : WRITE;
  },

  // ---- StatementService ----
  '/billing.v1.StatementService/GetStudentStatement': (m, w) =>
    stages((s) => s.uuid(m.studentId, 'student_id')) ?? (studentExists(w, m.studentId) ? OK : notFound('STUDENT_NOT_FOUND', 'student_id')),
  '/billing.v1.StatementService/GetSchoolStatement': (m, w) =>
    stages(
      (s) => s.uuid(m.schoolId, 'school_id'),
      (s) => s.pageSize(m.pageSize),
    ) ??
    // The token is checked once the school is found, on both backends.
    (schoolExists(w, m.schoolId) ? pageToken(m.pageToken) : notFound('SCHOOL_NOT_FOUND', 'school_id')),

  // ---- CacheAdminService (admin only; the access rule reads no id) ----
  '/billing.v1.CacheAdminService/GetCacheStats': () => OK,
  '/billing.v1.CacheAdminService/InvalidateStatements': (m) => {
    const target = m.target as { case: string | undefined; value?: unknown };
    switch (target.case) {
      case 'studentId':
        return stages((s) => s.uuid(target.value as string, 'student_id')) ?? OK;
      case 'schoolId':
        return stages((s) => s.uuid(target.value as string, 'school_id')) ?? OK;
      case 'all':
        return target.value === true ? OK : fail('INVALID_ARGUMENT', 'FIELD_REQUIRED', 'target');
      default:
        return fail('INVALID_ARGUMENT', 'FIELD_REQUIRED', 'target');
    }
  },
  '/billing.v1.CacheAdminService/WarmStatements': (m, w) =>
    stages((s) => s.uuid(m.schoolId, 'school_id')) ?? (schoolExists(w, m.schoolId) ? OK : notFound('SCHOOL_NOT_FOUND', 'school_id')),
};

export const MALFORMED: Verdict = { kind: 'error', code: 'INVALID_ARGUMENT', options: [{ reason: 'MALFORMED_REQUEST', field: null }] };

/** The verdict for request bytes sent to `method`: MALFORMED_REQUEST when they do not parse. */
export function expectedFor(method: MethodInfo, bytes: Uint8Array, world: World): { verdict: Verdict; message: Message | null } {
  let message: Message;
  try {
    message = fromBinary(method.input, bytes);
  } catch {
    return { verdict: MALFORMED, message: null };
  }
  const rule = RULES[method.path];
  if (!rule) throw new Error(`no oracle rule for ${method.path}`);
  return { verdict: rule(message, world), message };
}

/** Every RPC has a rule (a new RPC must be added here). */
export function methodsWithoutOracle(): string[] {
  return METHODS.filter((method) => RULES[method.path] === undefined).map((method) => method.path);
}
