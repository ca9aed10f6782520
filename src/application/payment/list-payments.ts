import type { Allocation } from '../../domain/allocation.js';
import type { PaymentId } from '../../domain/ids.js';
import type { Page, PageRequest } from '../../domain/page.js';
import { type PaymentView, viewPayment } from '../../domain/payment.js';
import type { PaymentFilter, PaymentRepository } from '../ports/payment-repository.js';
import type { SchoolRepository } from '../ports/school-repository.js';
import type { StudentRepository } from '../ports/student-repository.js';
import { requireListOwner } from '../shared/list-owner.js';

/** A student's payments at every school that received them, or a school's payments; newest first. */
export class ListPayments {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly schools: SchoolRepository,
    private readonly students: StudentRepository,
  ) {}

  async execute(filter: PaymentFilter, page: PageRequest): Promise<Page<PaymentView>> {
    await requireListOwner(filter, this.schools, this.students);
    const found = await this.payments.list(filter, page);
    const ids = found.items.map((payment) => payment.id);
    const allocations = ids.length === 0 ? [] : await this.payments.activeAllocationsOfPayments(ids);
    const byPayment = new Map<PaymentId, Allocation[]>();
    for (const allocation of allocations) byPayment.set(allocation.paymentId, [...(byPayment.get(allocation.paymentId) ?? []), allocation]);
    return {
      items: found.items.map((payment) => viewPayment(payment, byPayment.get(payment.id) ?? [])),
      nextToken: found.nextToken,
    };
  }
}
