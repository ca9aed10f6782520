/**
 * Statements as compact JSON for the cache, field by field: bigints as
 * decimal strings, instants as ISO-8601 UTC strings, calendar dates as
 * YYYY-MM-DD, enums by name, absent optional text as null. Decoding checks
 * every field's type and enum value and throws on anything else, so a payload
 * that does not match this shape is never half-read into a statement.
 *
 * The field names are part of the envelope format: renaming or retyping one
 * means bumping ENVELOPE_FORMAT_VERSION (envelope.ts).
 */
import type { StatementCodec } from '../../application/ports/statement-codec.js';
import { type CalendarDate, isCalendarDate } from '../../domain/calendar-date.js';
import type { InvoiceId, PaymentId, SchoolId, StudentId } from '../../domain/ids.js';
import { INVOICE_STATUSES, type InvoiceStatus } from '../../domain/invoice.js';
import { PAYMENT_METHODS, type PaymentMethod, type PaymentStatus } from '../../domain/payment.js';
import type { School } from '../../domain/school.js';
import type {
  Aging,
  InvoiceLine,
  PaymentLine,
  SchoolStatement,
  SchoolStatementRow,
  StatementTotals,
  StudentStatement,
} from '../../domain/statement.js';
import { STUDENT_STATUSES, type Student, type StudentStatus } from '../../domain/student.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const PAYMENT_STATUSES: readonly PaymentStatus[] = ['COMPLETED', 'REVERSED'];
const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// ---- encoding ----

const big = (value: bigint): string => value.toString();
const instant = (value: Date): string => value.toISOString();

function agingJson(aging: Aging): JsonObject {
  return {
    currentMinor: big(aging.currentMinor),
    days1To30Minor: big(aging.days1To30Minor),
    days31To60Minor: big(aging.days31To60Minor),
    days61To90Minor: big(aging.days61To90Minor),
    daysOver90Minor: big(aging.daysOver90Minor),
  };
}

function totalsJson(totals: StatementTotals): JsonObject {
  return {
    invoicedMinor: big(totals.invoicedMinor),
    appliedMinor: big(totals.appliedMinor),
    outstandingMinor: big(totals.outstandingMinor),
    receivedMinor: big(totals.receivedMinor),
    creditMinor: big(totals.creditMinor),
    netBalanceMinor: big(totals.netBalanceMinor),
    overdueMinor: big(totals.overdueMinor),
    invoiceCount: big(totals.invoiceCount),
    unpaidCount: big(totals.unpaidCount),
    partiallyPaidCount: big(totals.partiallyPaidCount),
    paidCount: big(totals.paidCount),
    voidCount: big(totals.voidCount),
    overdueCount: big(totals.overdueCount),
    aging: agingJson(totals.aging),
  };
}

function studentJson(student: Student): JsonObject {
  return {
    id: student.id,
    schoolId: student.schoolId,
    firstName: student.firstName,
    lastName: student.lastName,
    email: student.email,
    externalRef: student.externalRef,
    status: student.status,
    createdAt: instant(student.createdAt),
    updatedAt: instant(student.updatedAt),
  };
}

function schoolJson(school: School): JsonObject {
  return {
    id: school.id,
    name: school.name,
    currencyCode: school.currencyCode,
    timezone: school.timezone,
    createdAt: instant(school.createdAt),
    updatedAt: instant(school.updatedAt),
  };
}

function invoiceLineJson(line: InvoiceLine): JsonObject {
  return {
    invoiceId: line.invoiceId,
    number: line.number,
    description: line.description,
    issueDate: line.issueDate,
    dueDate: line.dueDate,
    amountMinor: big(line.amountMinor),
    appliedMinor: big(line.appliedMinor),
    outstandingMinor: big(line.outstandingMinor),
    status: line.status,
    overdue: line.overdue,
    daysOverdue: line.daysOverdue,
  };
}

function paymentLineJson(line: PaymentLine): JsonObject {
  return {
    paymentId: line.paymentId,
    paidAt: instant(line.paidAt),
    method: line.method,
    amountMinor: big(line.amountMinor),
    appliedMinor: big(line.appliedMinor),
    unappliedMinor: big(line.unappliedMinor),
    status: line.status,
  };
}

function rowJson(row: SchoolStatementRow): JsonObject {
  return {
    studentId: row.studentId,
    name: row.name,
    status: row.status,
    invoicedMinor: big(row.invoicedMinor),
    appliedMinor: big(row.appliedMinor),
    outstandingMinor: big(row.outstandingMinor),
    creditMinor: big(row.creditMinor),
    overdueMinor: big(row.overdueMinor),
  };
}

// ---- decoding ----

class Fields {
  constructor(
    private readonly value: JsonObject,
    private readonly path: string,
  ) {}

  static of(value: Json | undefined, path: string): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'an object');
    return new Fields(value, path);
  }

  private at(name: string): Json | undefined {
    return Object.hasOwn(this.value, name) ? this.value[name] : undefined;
  }

  string(name: string): string {
    const value = this.at(name);
    if (typeof value !== 'string') throw invalid(`${this.path}.${name}`, 'a string');
    return value;
  }

  optionalString(name: string): string | null {
    const value = this.at(name);
    if (value === null) return null;
    if (typeof value !== 'string') throw invalid(`${this.path}.${name}`, 'a string or null');
    return value;
  }

  bigint(name: string): bigint {
    const value = this.at(name);
    if (typeof value !== 'string' || !INTEGER.test(value)) throw invalid(`${this.path}.${name}`, 'a decimal integer string');
    return BigInt(value);
  }

  integer(name: string): number {
    const value = this.at(name);
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(`${this.path}.${name}`, 'an integer');
    return value;
  }

  boolean(name: string): boolean {
    const value = this.at(name);
    if (typeof value !== 'boolean') throw invalid(`${this.path}.${name}`, 'a boolean');
    return value;
  }

  date(name: string): CalendarDate {
    const value = this.string(name);
    if (!isCalendarDate(value)) throw invalid(`${this.path}.${name}`, 'a date YYYY-MM-DD');
    return value;
  }

  instant(name: string): Date {
    const value = this.string(name);
    const date = new Date(value);
    if (!ISO_INSTANT.test(value) || Number.isNaN(date.getTime())) throw invalid(`${this.path}.${name}`, 'an ISO-8601 UTC instant');
    return date;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.string(name);
    const found = allowed.find((candidate) => candidate === value);
    if (found === undefined) throw invalid(`${this.path}.${name}`, `one of ${allowed.join(', ')}`);
    return found;
  }

  object(name: string): Fields {
    return Fields.of(this.at(name), `${this.path}.${name}`);
  }

  list<T>(name: string, read: (item: Fields) => T): T[] {
    const value = this.at(name);
    if (!Array.isArray(value)) throw invalid(`${this.path}.${name}`, 'an array');
    return value.map((item, index) => read(Fields.of(item, `${this.path}.${name}[${index}]`)));
  }
}

function invalid(path: string, expected: string): Error {
  return new Error(`cached statement payload: ${path} is not ${expected}`);
}

function parse(payload: string): Fields {
  let value: Json;
  try {
    value = JSON.parse(payload) as Json;
  } catch (error) {
    throw new Error('cached statement payload is not JSON', { cause: error });
  }
  return Fields.of(value, '$');
}

function agingOf(f: Fields): Aging {
  return {
    currentMinor: f.bigint('currentMinor'),
    days1To30Minor: f.bigint('days1To30Minor'),
    days31To60Minor: f.bigint('days31To60Minor'),
    days61To90Minor: f.bigint('days61To90Minor'),
    daysOver90Minor: f.bigint('daysOver90Minor'),
  };
}

function totalsOf(f: Fields): StatementTotals {
  return {
    invoicedMinor: f.bigint('invoicedMinor'),
    appliedMinor: f.bigint('appliedMinor'),
    outstandingMinor: f.bigint('outstandingMinor'),
    receivedMinor: f.bigint('receivedMinor'),
    creditMinor: f.bigint('creditMinor'),
    netBalanceMinor: f.bigint('netBalanceMinor'),
    overdueMinor: f.bigint('overdueMinor'),
    invoiceCount: f.bigint('invoiceCount'),
    unpaidCount: f.bigint('unpaidCount'),
    partiallyPaidCount: f.bigint('partiallyPaidCount'),
    paidCount: f.bigint('paidCount'),
    voidCount: f.bigint('voidCount'),
    overdueCount: f.bigint('overdueCount'),
    aging: agingOf(f.object('aging')),
  };
}

function studentOf(f: Fields): Student {
  return {
    id: f.string('id') as StudentId,
    schoolId: f.string('schoolId') as SchoolId,
    firstName: f.string('firstName'),
    lastName: f.string('lastName'),
    email: f.optionalString('email'),
    externalRef: f.optionalString('externalRef'),
    status: f.oneOf<StudentStatus>('status', STUDENT_STATUSES),
    createdAt: f.instant('createdAt'),
    updatedAt: f.instant('updatedAt'),
  };
}

function schoolOf(f: Fields): School {
  return {
    id: f.string('id') as SchoolId,
    name: f.string('name'),
    currencyCode: f.string('currencyCode'),
    timezone: f.string('timezone'),
    createdAt: f.instant('createdAt'),
    updatedAt: f.instant('updatedAt'),
  };
}

function invoiceLineOf(f: Fields): InvoiceLine {
  return {
    invoiceId: f.string('invoiceId') as InvoiceId,
    number: f.string('number'),
    description: f.string('description'),
    issueDate: f.date('issueDate'),
    dueDate: f.date('dueDate'),
    amountMinor: f.bigint('amountMinor'),
    appliedMinor: f.bigint('appliedMinor'),
    outstandingMinor: f.bigint('outstandingMinor'),
    status: f.oneOf<InvoiceStatus>('status', INVOICE_STATUSES),
    overdue: f.boolean('overdue'),
    daysOverdue: f.integer('daysOverdue'),
  };
}

function paymentLineOf(f: Fields): PaymentLine {
  return {
    paymentId: f.string('paymentId') as PaymentId,
    paidAt: f.instant('paidAt'),
    method: f.oneOf<PaymentMethod>('method', PAYMENT_METHODS),
    amountMinor: f.bigint('amountMinor'),
    appliedMinor: f.bigint('appliedMinor'),
    unappliedMinor: f.bigint('unappliedMinor'),
    status: f.oneOf<PaymentStatus>('status', PAYMENT_STATUSES),
  };
}

function rowOf(f: Fields): SchoolStatementRow {
  return {
    studentId: f.string('studentId') as StudentId,
    name: f.string('name'),
    status: f.oneOf<StudentStatus>('status', STUDENT_STATUSES),
    invoicedMinor: f.bigint('invoicedMinor'),
    appliedMinor: f.bigint('appliedMinor'),
    outstandingMinor: f.bigint('outstandingMinor'),
    creditMinor: f.bigint('creditMinor'),
    overdueMinor: f.bigint('overdueMinor'),
  };
}

export class JsonStatementCodec implements StatementCodec {
  encodeStudent(statement: StudentStatement): string {
    const json: JsonObject = {
      student: studentJson(statement.student),
      currencyCode: statement.currencyCode,
      asOfDate: statement.asOfDate,
      generatedAt: instant(statement.generatedAt),
      totals: totalsJson(statement.totals),
      invoices: statement.invoices.map(invoiceLineJson),
      payments: statement.payments.map(paymentLineJson),
    };
    return JSON.stringify(json);
  }

  decodeStudent(payload: string): StudentStatement {
    const f = parse(payload);
    return {
      student: studentOf(f.object('student')),
      currencyCode: f.string('currencyCode'),
      asOfDate: f.date('asOfDate'),
      generatedAt: f.instant('generatedAt'),
      totals: totalsOf(f.object('totals')),
      invoices: f.list('invoices', invoiceLineOf),
      payments: f.list('payments', paymentLineOf),
    };
  }

  encodeSchool(statement: SchoolStatement): string {
    const json: JsonObject = {
      school: schoolJson(statement.school),
      currencyCode: statement.currencyCode,
      asOfDate: statement.asOfDate,
      generatedAt: instant(statement.generatedAt),
      totals: totalsJson(statement.totals),
      studentCount: big(statement.studentCount),
      activeStudentCount: big(statement.activeStudentCount),
      studentsWithBalanceCount: big(statement.studentsWithBalanceCount),
      studentsOverdueCount: big(statement.studentsOverdueCount),
      rows: statement.rows.map(rowJson),
      nextPageToken: statement.nextPageToken,
    };
    return JSON.stringify(json);
  }

  decodeSchool(payload: string): SchoolStatement {
    const f = parse(payload);
    return {
      school: schoolOf(f.object('school')),
      currencyCode: f.string('currencyCode'),
      asOfDate: f.date('asOfDate'),
      generatedAt: f.instant('generatedAt'),
      totals: totalsOf(f.object('totals')),
      studentCount: f.bigint('studentCount'),
      activeStudentCount: f.bigint('activeStudentCount'),
      studentsWithBalanceCount: f.bigint('studentsWithBalanceCount'),
      studentsOverdueCount: f.bigint('studentsOverdueCount'),
      rows: f.list('rows', rowOf),
      nextPageToken: f.optionalString('nextPageToken'),
    };
  }
}
