import { DomainError } from '../../domain/errors.js';
import type { InvoiceStatus } from '../../domain/invoice.js';
import type { PaymentMethod, PaymentStatus } from '../../domain/payment.js';
import type { StudentStatus } from '../../domain/student.js';
import { InvoiceStatus as ProtoInvoiceStatus } from '../../gen/billing/v1/invoice_pb.js';
import { PaymentMethod as ProtoPaymentMethod, PaymentStatus as ProtoPaymentStatus } from '../../gen/billing/v1/payment_pb.js';
import { StudentStatus as ProtoStudentStatus } from '../../gen/billing/v1/student_pb.js';

/**
 * Domain enum strings ↔ proto enum numbers, in one place. Proto3 enums are
 * open: a request may carry any number, and protobuf-es keeps it, so every
 * value read from a request is checked against the known ones.
 */
class EnumMapping<P extends number, D extends string> {
  private readonly toDomain = new Map<number, D>();
  private readonly fromDomain = new Map<D, P>();

  constructor(
    private readonly description: string,
    pairs: ReadonlyArray<readonly [P, D]>,
  ) {
    for (const [proto, domain] of pairs) {
      this.toDomain.set(proto, domain);
      this.fromDomain.set(domain, proto);
    }
  }

  toProto(value: D): P {
    const proto = this.fromDomain.get(value);
    if (proto === undefined) throw new Error(`no proto value for ${this.description} ${value}`);
    return proto;
  }

  /** 0 (UNSPECIFIED) → null; any number that is not a value of the enum → INVALID_ENUM. */
  fromProto(value: number, field: string): D | null {
    if (value === 0) return null;
    const domain = this.toDomain.get(value);
    if (domain === undefined) throw this.invalid(field);
    return domain;
  }

  /** A value the request must set: UNSPECIFIED is as invalid as an unknown number. */
  required(value: number, field: string): D {
    const domain = this.fromProto(value, field);
    if (domain === null) throw this.invalid(field);
    return domain;
  }

  /** A proto3 `optional` field: unset → undefined (unchanged); set, it must name a value. */
  optional(value: number | undefined, field: string): D | undefined {
    if (value === undefined) return undefined;
    const domain = this.fromProto(value, field);
    if (domain === null) throw this.invalid(field);
    return domain;
  }

  private invalid(field: string): DomainError {
    return new DomainError('INVALID_ENUM', `${field} must be a known ${this.description}`, field);
  }
}

export const studentStatuses = new EnumMapping<ProtoStudentStatus, StudentStatus>('student status', [
  [ProtoStudentStatus.ACTIVE, 'ACTIVE'],
  [ProtoStudentStatus.INACTIVE, 'INACTIVE'],
  [ProtoStudentStatus.GRADUATED, 'GRADUATED'],
  [ProtoStudentStatus.WITHDRAWN, 'WITHDRAWN'],
]);

export const invoiceStatuses = new EnumMapping<ProtoInvoiceStatus, InvoiceStatus>('invoice status', [
  [ProtoInvoiceStatus.UNPAID, 'UNPAID'],
  [ProtoInvoiceStatus.PARTIALLY_PAID, 'PARTIALLY_PAID'],
  [ProtoInvoiceStatus.PAID, 'PAID'],
  [ProtoInvoiceStatus.VOID, 'VOID'],
]);

export const paymentMethods = new EnumMapping<ProtoPaymentMethod, PaymentMethod>('payment method', [
  [ProtoPaymentMethod.CASH, 'CASH'],
  [ProtoPaymentMethod.CARD, 'CARD'],
  [ProtoPaymentMethod.BANK_TRANSFER, 'BANK_TRANSFER'],
  [ProtoPaymentMethod.CHECK, 'CHECK'],
  [ProtoPaymentMethod.OTHER, 'OTHER'],
]);

export const paymentStatuses = new EnumMapping<ProtoPaymentStatus, PaymentStatus>('payment status', [
  [ProtoPaymentStatus.COMPLETED, 'COMPLETED'],
  [ProtoPaymentStatus.REVERSED, 'REVERSED'],
]);
