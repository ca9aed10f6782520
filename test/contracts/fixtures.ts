import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Allocation } from '../../src/domain/allocation.js';
import type { CalendarDate } from '../../src/domain/calendar-date.js';
import { DomainError, type Reason } from '../../src/domain/errors.js';
import type { AllocationId, InvoiceId, PaymentId, SchoolId, StudentId } from '../../src/domain/ids.js';
import { type Invoice, formatInvoiceNumber } from '../../src/domain/invoice.js';
import type { Page, PageRequest } from '../../src/domain/page.js';
import type { Payment } from '../../src/domain/payment.js';
import type { School } from '../../src/domain/school.js';
import type { Student } from '../../src/domain/student.js';

/** Builders of valid rows with fresh ids; millisecond instants, as the service stores them. */

export const T0 = new Date('2026-03-01T09:30:00.123Z');

export function at(offsetMs: number): Date {
  return new Date(T0.getTime() + offsetMs);
}

export const date = (value: string) => value as CalendarDate;

export function aSchool(overrides: Partial<School> = {}): School {
  return {
    id: randomUUID() as SchoolId,
    name: 'Lycée Test',
    currencyCode: 'EUR',
    timezone: 'Europe/Paris',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function aStudent(school: Pick<School, 'id'>, overrides: Partial<Student> = {}): Student {
  return {
    id: randomUUID() as StudentId,
    schoolId: school.id,
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: null,
    externalRef: null,
    status: 'ACTIVE',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

let nextSequence = 1n;

/** An invoice of the student at their school (or `schoolId`); VOID ones get a voidedAt. */
export function anInvoice(student: Pick<Student, 'id' | 'schoolId'>, overrides: Partial<Invoice> = {}): Invoice {
  const sequence = overrides.sequence ?? nextSequence++;
  const state = overrides.state ?? 'ISSUED';
  return {
    id: randomUUID() as InvoiceId,
    schoolId: student.schoolId,
    studentId: student.id,
    sequence,
    number: formatInvoiceNumber(sequence),
    description: 'Tuition',
    amountMinor: 10_000n,
    appliedMinor: 0n,
    issueDate: date('2026-01-10'),
    dueDate: date('2026-02-10'),
    state,
    idempotencyKey: null,
    requestFingerprint: null,
    createdAt: T0,
    updatedAt: T0,
    voidedAt: state === 'VOID' ? T0 : null,
    ...overrides,
  };
}

/** A payment of the student at their school (or `schoolId`); REVERSED ones get a reversedAt. */
export function aPayment(student: Pick<Student, 'id' | 'schoolId'>, overrides: Partial<Payment> = {}): Payment {
  const status = overrides.status ?? 'COMPLETED';
  return {
    id: randomUUID() as PaymentId,
    schoolId: student.schoolId,
    studentId: student.id,
    amountMinor: 10_000n,
    appliedMinor: 0n,
    paidAt: T0,
    method: 'BANK_TRANSFER',
    reference: 'ref-1',
    status,
    idempotencyKey: null,
    requestFingerprint: null,
    createdAt: T0,
    updatedAt: T0,
    reversedAt: status === 'REVERSED' ? T0 : null,
    ...overrides,
  };
}

export function anAllocation(payment: Payment, invoice: Invoice, amountMinor: bigint, overrides: Partial<Allocation> = {}): Allocation {
  return {
    id: randomUUID() as AllocationId,
    paymentId: payment.id,
    invoiceId: invoice.id,
    studentId: payment.studentId,
    schoolId: payment.schoolId,
    amountMinor,
    createdAt: T0,
    releasedAt: null,
    ...overrides,
  };
}

export async function expectDomainError(promise: Promise<unknown>, reason: Reason, field?: string): Promise<DomainError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected DomainError ${reason}`).to.be.instanceOf(DomainError);
  const error = caught as DomainError;
  expect(error.reason).to.equal(reason);
  if (field !== undefined) expect(error.field).to.equal(field);
  return error;
}

export async function expectRejection(promise: Promise<unknown>): Promise<unknown> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a rejection').to.exist;
  return caught;
}

/** Every item of a list, page after page; checks that the last page has no token and no page is empty but the only one. */
export async function allPages<T>(size: number, fetch: (page: PageRequest) => Promise<Page<T>>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const page: Page<T> = await fetch({ size, token });
    pages += 1;
    expect(page.items.length).to.be.at.most(size);
    if (page.nextToken !== null) expect(page.items.length, 'a page with a next token is full').to.equal(size);
    items.push(...page.items);
    token = page.nextToken;
    expect(pages).to.be.below(10_000);
  } while (token !== null);
  return { items, pages };
}

export const ids = <T extends { id: string }>(rows: readonly T[]) => rows.map((row) => row.id);
export const sortedIds = <T extends { id: string }>(rows: readonly T[]) => ids(rows).sort();

/** Tokens no adapter should accept. */
export const MALFORMED_TOKENS = ['not a token', '!!!', 'offset:abc', 'eyJ', Buffer.from('["x"]').toString('base64url'), 'a'.repeat(5000)];
