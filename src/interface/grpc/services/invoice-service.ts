import type { ServiceImpl } from '@connectrpc/connect';
import type { BillingUseCases } from '../../../application/use-cases.js';
import { InvoiceService } from '../../../gen/billing/v1/invoice_pb.js';
import { visibleSchools } from '../../../domain/access.js';
import { actorOf } from '../call-context.js';
import { invoiceStatuses } from '../enums.js';
import { invoiceMessage } from '../messages.js';
import {
  amount,
  changedAmount,
  changedDate,
  idempotencyKey,
  optionalDate,
  optionalId,
  page,
  requiredDate,
  requiredId,
} from '../requests.js';

export function invoiceService(useCases: BillingUseCases): ServiceImpl<typeof InvoiceService> {
  return {
    async createInvoice(request, context) {
      const invoice = await useCases.createInvoice.execute({
        studentId: requiredId(request.studentId, 'student_id'),
        description: request.description,
        amountMinor: amount(request.amountMinor, 'amount_minor'),
        issueDate: optionalDate(request.issueDate, 'issue_date'),
        dueDate: requiredDate(request.dueDate, 'due_date'),
        idempotencyKey: idempotencyKey(request.idempotencyKey),
        visibleSchools: visibleSchools(actorOf(context)),
      });
      return { invoice: invoiceMessage(invoice) };
    },

    async getInvoice(request) {
      return { invoice: invoiceMessage(await useCases.getInvoice.execute(requiredId(request.id, 'id'))) };
    },

    async listInvoices(request) {
      // Exactly one of student_id and school_id: the use case checks it.
      const found = await useCases.listInvoices.execute(
        {
          studentId: optionalId(request.studentId, 'student_id'),
          schoolId: optionalId(request.schoolId, 'school_id'),
          status: invoiceStatuses.fromProto(request.status, 'status'),
        },
        page(request.pageSize, request.pageToken),
      );
      return { invoices: found.items.map(invoiceMessage), nextPageToken: found.nextToken ?? '' };
    },

    async updateInvoice(request) {
      const invoice = await useCases.updateInvoice.execute({
        id: requiredId(request.id, 'id'),
        description: request.description,
        dueDate: changedDate(request.dueDate, 'due_date'),
        amountMinor: changedAmount(request.amountMinor, 'amount_minor'),
      });
      return { invoice: invoiceMessage(invoice) };
    },

    async deleteInvoice(request) {
      const invoice = await useCases.voidInvoice.execute({
        id: requiredId(request.id, 'id'),
        releaseAllocations: request.releaseAllocations,
      });
      return { invoice: invoiceMessage(invoice) };
    },
  };
}
