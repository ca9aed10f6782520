import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { InvoiceView } from '../../domain/invoice.js';
import type { PaymentView } from '../../domain/payment.js';
import type { School as DomainSchool } from '../../domain/school.js';
import type * as statement from '../../domain/statement.js';
import type { Student as DomainStudent } from '../../domain/student.js';
import { type Invoice, InvoiceSchema } from '../../gen/billing/v1/invoice_pb.js';
import { type Payment, PaymentSchema } from '../../gen/billing/v1/payment_pb.js';
import { type School, SchoolSchema } from '../../gen/billing/v1/school_pb.js';
import {
  type Aging,
  AgingSchema,
  type SchoolStatement,
  SchoolStatementSchema,
  type StatementTotals,
  StatementTotalsSchema,
  type StudentStatement,
  StudentStatementSchema,
} from '../../gen/billing/v1/statement_pb.js';
import { type Student, StudentSchema } from '../../gen/billing/v1/student_pb.js';
import { invoiceStatuses, paymentMethods, paymentStatuses, studentStatuses } from './enums.js';

/** Domain values → proto messages. Absent optional text is the empty string on the wire. */

export function schoolMessage(school: DomainSchool): School {
  return create(SchoolSchema, {
    id: school.id,
    name: school.name,
    currencyCode: school.currencyCode,
    timezone: school.timezone,
    createdAt: timestampFromDate(school.createdAt),
    updatedAt: timestampFromDate(school.updatedAt),
  });
}

export function studentMessage(student: DomainStudent): Student {
  return create(StudentSchema, {
    id: student.id,
    schoolId: student.schoolId,
    firstName: student.firstName,
    lastName: student.lastName,
    email: student.email ?? '',
    externalRef: student.externalRef ?? '',
    status: studentStatuses.toProto(student.status),
    createdAt: timestampFromDate(student.createdAt),
    updatedAt: timestampFromDate(student.updatedAt),
  });
}

export function invoiceMessage(invoice: InvoiceView): Invoice {
  return create(InvoiceSchema, {
    id: invoice.id,
    number: invoice.number,
    schoolId: invoice.schoolId,
    studentId: invoice.studentId,
    description: invoice.description,
    amountMinor: invoice.amountMinor,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
    appliedMinor: invoice.appliedMinor,
    outstandingMinor: invoice.outstandingMinor,
    status: invoiceStatuses.toProto(invoice.status),
    overdue: invoice.overdue,
    daysOverdue: invoice.daysOverdue,
    idempotencyKey: invoice.idempotencyKey ?? '',
    createdAt: timestampFromDate(invoice.createdAt),
    updatedAt: timestampFromDate(invoice.updatedAt),
  });
}

/** With what it pays now, per invoice (a reversed payment has none). */
export function paymentMessage(payment: PaymentView): Payment {
  return create(PaymentSchema, {
    id: payment.id,
    schoolId: payment.schoolId,
    studentId: payment.studentId,
    amountMinor: payment.amountMinor,
    paidAt: timestampFromDate(payment.paidAt),
    method: paymentMethods.toProto(payment.method),
    reference: payment.reference,
    allocations: payment.allocations.map((allocation) => ({ invoiceId: allocation.invoiceId, amountMinor: allocation.amountMinor })),
    appliedMinor: payment.appliedMinor,
    unappliedMinor: payment.unappliedMinor,
    status: paymentStatuses.toProto(payment.status),
    idempotencyKey: payment.idempotencyKey ?? '',
    createdAt: timestampFromDate(payment.createdAt),
    updatedAt: timestampFromDate(payment.updatedAt),
  });
}

function agingMessage(aging: statement.Aging): Aging {
  return create(AgingSchema, {
    currentMinor: aging.currentMinor,
    days130Minor: aging.days1To30Minor,
    days3160Minor: aging.days31To60Minor,
    days6190Minor: aging.days61To90Minor,
    daysOver90Minor: aging.daysOver90Minor,
  });
}

function totalsMessage(totals: statement.StatementTotals): StatementTotals {
  return create(StatementTotalsSchema, {
    invoicedMinor: totals.invoicedMinor,
    appliedMinor: totals.appliedMinor,
    outstandingMinor: totals.outstandingMinor,
    receivedMinor: totals.receivedMinor,
    creditMinor: totals.creditMinor,
    netBalanceMinor: totals.netBalanceMinor,
    overdueMinor: totals.overdueMinor,
    invoiceCount: totals.invoiceCount,
    unpaidCount: totals.unpaidCount,
    partiallyPaidCount: totals.partiallyPaidCount,
    paidCount: totals.paidCount,
    voidCount: totals.voidCount,
    overdueCount: totals.overdueCount,
    aging: agingMessage(totals.aging),
  });
}

export function studentStatementMessage(value: statement.StudentStatement): StudentStatement {
  return create(StudentStatementSchema, {
    student: studentMessage(value.student),
    currencyCode: value.currencyCode,
    asOfDate: value.asOfDate,
    generatedAt: timestampFromDate(value.generatedAt),
    totals: totalsMessage(value.totals),
    invoices: value.invoices.map((line) => ({
      invoiceId: line.invoiceId,
      number: line.number,
      description: line.description,
      issueDate: line.issueDate,
      dueDate: line.dueDate,
      amountMinor: line.amountMinor,
      appliedMinor: line.appliedMinor,
      outstandingMinor: line.outstandingMinor,
      status: invoiceStatuses.toProto(line.status),
      overdue: line.overdue,
      daysOverdue: line.daysOverdue,
    })),
    payments: value.payments.map((line) => ({
      paymentId: line.paymentId,
      paidAt: timestampFromDate(line.paidAt),
      method: paymentMethods.toProto(line.method),
      amountMinor: line.amountMinor,
      appliedMinor: line.appliedMinor,
      unappliedMinor: line.unappliedMinor,
      status: paymentStatuses.toProto(line.status),
    })),
  });
}

/** The statement without its page token, which travels beside it on the response. */
export function schoolStatementMessage(value: statement.SchoolStatement): SchoolStatement {
  return create(SchoolStatementSchema, {
    school: schoolMessage(value.school),
    currencyCode: value.currencyCode,
    asOfDate: value.asOfDate,
    generatedAt: timestampFromDate(value.generatedAt),
    totals: totalsMessage(value.totals),
    studentCount: value.studentCount,
    activeStudentCount: value.activeStudentCount,
    studentsWithBalanceCount: value.studentsWithBalanceCount,
    studentsOverdueCount: value.studentsOverdueCount,
    rows: value.rows.map((row) => ({
      studentId: row.studentId,
      name: row.name,
      status: studentStatuses.toProto(row.status),
      invoicedMinor: row.invoicedMinor,
      appliedMinor: row.appliedMinor,
      outstandingMinor: row.outstandingMinor,
      creditMinor: row.creditMinor,
      overdueMinor: row.overdueMinor,
    })),
  });
}
