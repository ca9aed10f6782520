import type { DescService } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import type { BillingUseCases } from '../../../application/use-cases.js';
import { CacheAdminService } from '../../../gen/billing/v1/cache_admin_pb.js';
import { InvoiceService } from '../../../gen/billing/v1/invoice_pb.js';
import { PaymentService } from '../../../gen/billing/v1/payment_pb.js';
import { SchoolService } from '../../../gen/billing/v1/school_pb.js';
import { StatementService } from '../../../gen/billing/v1/statement_pb.js';
import { StudentService } from '../../../gen/billing/v1/student_pb.js';
import { cacheAdminService } from './cache-admin-service.js';
import { invoiceService } from './invoice-service.js';
import { paymentService } from './payment-service.js';
import { schoolService } from './school-service.js';
import { statementService } from './statement-service.js';
import { studentService } from './student-service.js';

/** A service descriptor with its Connect implementation, ready for any listener. */
export interface ServiceBinding<S extends DescService = DescService> {
  readonly service: S;
  readonly impl: ServiceImpl<S>;
}

function bind<S extends DescService>(service: S, impl: ServiceImpl<S>): ServiceBinding {
  return { service, impl } as unknown as ServiceBinding;
}

/** Every billing.v1 service this server implements. */
export function billingServiceDescriptors(): DescService[] {
  return [SchoolService, StudentService, InvoiceService, PaymentService, StatementService, CacheAdminService];
}

/** Every billing.v1 service over the use cases. */
export function billingServices(useCases: BillingUseCases): ServiceBinding[] {
  return [
    bind(SchoolService, schoolService(useCases)),
    bind(StudentService, studentService(useCases)),
    bind(InvoiceService, invoiceService(useCases)),
    bind(PaymentService, paymentService(useCases)),
    bind(StatementService, statementService(useCases)),
    bind(CacheAdminService, cacheAdminService(useCases)),
  ];
}
