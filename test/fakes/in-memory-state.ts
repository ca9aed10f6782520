import type { Allocation } from '../../src/domain/allocation.js';
import type { AllocationId, InvoiceId, PaymentId, SchoolId, StudentId } from '../../src/domain/ids.js';
import type { Invoice } from '../../src/domain/invoice.js';
import type { Payment } from '../../src/domain/payment.js';
import type { School } from '../../src/domain/school.js';
import type { Student } from '../../src/domain/student.js';

/** The rows of the fake database. Values are immutable; a snapshot is a copy of the maps. */
export class InMemoryState {
  schools = new Map<SchoolId, School>();
  invoiceSequences = new Map<SchoolId, bigint>();
  students = new Map<StudentId, Student>();
  invoices = new Map<InvoiceId, Invoice>();
  payments = new Map<PaymentId, Payment>();
  allocations = new Map<AllocationId, Allocation>();
  /** Statement data versions (columns of students and schools in the database). */
  studentVersions = new Map<StudentId, bigint>();
  schoolVersions = new Map<SchoolId, bigint>();
  epoch = 1n;

  snapshot(): InMemoryState {
    const copy = new InMemoryState();
    copy.schools = new Map(this.schools);
    copy.invoiceSequences = new Map(this.invoiceSequences);
    copy.students = new Map(this.students);
    copy.invoices = new Map(this.invoices);
    copy.payments = new Map(this.payments);
    copy.allocations = new Map(this.allocations);
    copy.studentVersions = new Map(this.studentVersions);
    copy.schoolVersions = new Map(this.schoolVersions);
    copy.epoch = this.epoch;
    return copy;
  }

  restore(from: InMemoryState): void {
    Object.assign(this, from.snapshot());
  }
}
