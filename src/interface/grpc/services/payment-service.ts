import type { ServiceImpl } from '@connectrpc/connect';
import type { BillingUseCases } from '../../../application/use-cases.js';
import { PaymentService } from '../../../gen/billing/v1/payment_pb.js';
import { paymentMethods, paymentStatuses } from '../enums.js';
import { visibleSchools } from '../../../domain/access.js';
import { actorOf } from '../call-context.js';
import { paymentMessage } from '../messages.js';
import { amount, idempotencyKey, optionalId, optionalTimestamp, page, requiredId } from '../requests.js';

export function paymentService(useCases: BillingUseCases): ServiceImpl<typeof PaymentService> {
  return {
    async createPayment(request, context) {
      const payment = await useCases.createPayment.execute({
        studentId: requiredId(request.studentId, 'student_id'),
        amountMinor: amount(request.amountMinor, 'amount_minor'),
        paidAt: optionalTimestamp(request.paidAt, 'paid_at'),
        method: paymentMethods.required(request.method, 'method'),
        reference: request.reference,
        // Amounts, distinct targets and their sum are checked by the domain, with these field paths.
        allocations: request.allocations.map((allocation, index) => ({
          invoiceId: requiredId(allocation.invoiceId, `allocations[${index}].invoice_id`),
          amountMinor: allocation.amountMinor,
        })),
        idempotencyKey: idempotencyKey(request.idempotencyKey),
        visibleSchools: visibleSchools(actorOf(context)),
      });
      return { payment: paymentMessage(payment) };
    },

    async getPayment(request) {
      return { payment: paymentMessage(await useCases.getPayment.execute(requiredId(request.id, 'id'))) };
    },

    async listPayments(request) {
      // Exactly one of student_id and school_id: the use case checks it.
      const found = await useCases.listPayments.execute(
        {
          studentId: optionalId(request.studentId, 'student_id'),
          schoolId: optionalId(request.schoolId, 'school_id'),
          status: paymentStatuses.fromProto(request.status, 'status'),
        },
        page(request.pageSize, request.pageToken),
      );
      return { payments: found.items.map(paymentMessage), nextPageToken: found.nextToken ?? '' };
    },

    async deletePayment(request) {
      return { payment: paymentMessage(await useCases.reversePayment.execute(requiredId(request.id, 'id'))) };
    },
  };
}
