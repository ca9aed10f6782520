import { DomainError } from '../../domain/errors.js';
import type { PaymentId } from '../../domain/ids.js';
import { type PaymentView, viewPayment } from '../../domain/payment.js';
import type { PaymentRepository } from '../ports/payment-repository.js';

export class GetPayment {
  constructor(private readonly payments: PaymentRepository) {}

  async execute(id: PaymentId): Promise<PaymentView> {
    const payment = await this.payments.findById(id);
    if (!payment) throw new DomainError('PAYMENT_NOT_FOUND', 'payment not found', 'id');
    return viewPayment(payment, await this.payments.activeAllocationsOfPayments([id]));
  }
}
