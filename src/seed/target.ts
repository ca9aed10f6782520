import type { PaymentMethodName, PlannedInvoice, PlannedPayment, PlannedSchool, StudentStatusName } from './plan.js';

/** A school's statement totals, for the summary. */
export interface SchoolTotals {
  readonly currencyCode: string;
  readonly invoicedMinor: bigint;
  readonly appliedMinor: bigint;
  readonly outstandingMinor: bigint;
  readonly receivedMinor: bigint;
  readonly creditMinor: bigint;
  readonly overdueMinor: bigint;
  readonly invoiceCount: bigint;
  readonly unpaidCount: bigint;
  readonly partiallyPaidCount: bigint;
  readonly paidCount: bigint;
  readonly voidCount: bigint;
  readonly overdueCount: bigint;
  readonly studentCount: bigint;
  readonly studentsWithBalanceCount: bigint;
}

export interface NewStudent {
  readonly schoolId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly externalRef: string;
  readonly status: StudentStatusName;
}

/**
 * Where the seed writes: the use cases in this process (on DATABASE_URL or
 * the embedded database), or a running service over gRPC. Every write goes
 * through the same rules either way.
 */
export interface SeedTarget {
  readonly description: string;
  createSchool(school: PlannedSchool): Promise<string>;
  createStudent(student: NewStudent): Promise<string>;
  transferStudent(studentId: string, schoolId: string): Promise<void>;
  createInvoice(studentId: string, invoice: PlannedInvoice): Promise<string>;
  voidInvoice(invoiceId: string): Promise<void>;
  createPayment(studentId: string, payment: PlannedPayment): Promise<string>;
  reversePayment(paymentId: string): Promise<void>;
  schoolTotals(schoolId: string): Promise<SchoolTotals>;
  close(): Promise<void>;
}

export type { PaymentMethodName };
