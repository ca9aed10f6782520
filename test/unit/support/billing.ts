import { buildUseCases } from '../../../src/composition/application-module.js';
import type { CalendarDate } from '../../../src/domain/calendar-date.js';
import type { InvoiceId, SchoolId, StudentId } from '../../../src/domain/ids.js';
import type { InvoiceView } from '../../../src/domain/invoice.js';
import type { PaymentView } from '../../../src/domain/payment.js';
import type { AllocationRequest } from '../../../src/domain/allocation.js';
import { type FakeBillingOptions, fakeBilling } from '../../fakes/fake-billing.js';

/**
 * The use cases over in-memory fakes, with terse helpers for the "given"
 * part of a test. The clock starts at 2026-03-10 12:00 UTC.
 */
export function billing(start?: string, options?: FakeBillingOptions) {
  const fakes = fakeBilling(start, options);
  const useCases = buildUseCases(fakes.dependencies);

  const school = (overrides: { currencyCode?: string; timezone?: string; name?: string } = {}) =>
    useCases.createSchool.execute({ name: 'North High', currencyCode: 'USD', timezone: 'UTC', ...overrides });

  const student = async (schoolId?: SchoolId, overrides: { externalRef?: string } = {}) =>
    useCases.createStudent.execute({
      schoolId: schoolId ?? (await school()).id,
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: '',
      externalRef: overrides.externalRef ?? '',
      status: 'ACTIVE',
    });

  const invoice = (
    studentId: StudentId,
    amountMinor: bigint,
    dueDate: string,
    options: { issueDate?: string; key?: string; description?: string } = {},
  ): Promise<InvoiceView> =>
    useCases.createInvoice.execute({
      studentId,
      description: options.description ?? 'Tuition',
      amountMinor,
      issueDate: (options.issueDate ?? null) as CalendarDate | null,
      dueDate: dueDate as CalendarDate,
      idempotencyKey: options.key ?? null,
    });

  const pay = (
    studentId: StudentId,
    amountMinor: bigint,
    options: { allocations?: { invoiceId: InvoiceId; amountMinor: bigint }[]; key?: string; paidAt?: Date } = {},
  ): Promise<PaymentView> =>
    useCases.createPayment.execute({
      studentId,
      amountMinor,
      paidAt: options.paidAt ?? null,
      method: 'CASH',
      reference: '',
      allocations: (options.allocations ?? []) as AllocationRequest[],
      idempotencyKey: options.key ?? null,
    });

  const invoiceNow = (id: InvoiceId) => useCases.getInvoice.execute(id);

  return { ...fakes, useCases, given: { school, student, invoice, pay }, invoiceNow };
}
