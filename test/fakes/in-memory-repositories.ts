import type { InvoiceFilter, InvoiceRepository } from '../../src/application/ports/invoice-repository.js';
import type { PaymentFilter, PaymentRepository } from '../../src/application/ports/payment-repository.js';
import type { SchoolRepository } from '../../src/application/ports/school-repository.js';
import type { AccountBalance, StudentFilter, StudentRepository } from '../../src/application/ports/student-repository.js';
import { type ChangedStatements, StatementChangeSet } from '../../src/application/ports/statement-versions.js';
import type { Repositories, TransactionScope, UnitOfWork } from '../../src/application/ports/unit-of-work.js';
import type { Allocation } from '../../src/domain/allocation.js';
import { DomainError } from '../../src/domain/errors.js';
import type { InvoiceId, PaymentId, SchoolId, StudentId } from '../../src/domain/ids.js';
import { type Invoice, compareInvoiceOrder, isOpen, statusOf } from '../../src/domain/invoice.js';
import type { Page, PageRequest } from '../../src/domain/page.js';
import { type Payment, compareCreditOrder, unappliedOf } from '../../src/domain/payment.js';
import type { School } from '../../src/domain/school.js';
import type { Student } from '../../src/domain/student.js';
import { byId, paginate } from './in-memory-pages.js';
import { InMemoryState } from './in-memory-state.js';

// The fake enforces what the database's constraints enforce, so a use case
// that would violate one fails here too.
function check(condition: boolean, constraint: string): void {
  if (!condition) throw new Error(`constraint violated: ${constraint}`);
}

export class InMemorySchoolRepository implements SchoolRepository {
  constructor(private readonly state: InMemoryState) {}

  async insert(school: School): Promise<void> {
    check(!this.state.schools.has(school.id), 'schools_pkey');
    this.state.schools.set(school.id, school);
    this.state.invoiceSequences.set(school.id, 0n);
  }

  async findById(id: SchoolId): Promise<School | null> {
    return this.state.schools.get(id) ?? null;
  }

  async findByIds(ids: readonly SchoolId[]): Promise<School[]> {
    return ids.flatMap((id) => this.state.schools.get(id) ?? []);
  }

  lock(id: SchoolId): Promise<School | null> {
    return this.findById(id);
  }

  async list(page: PageRequest, only: ReadonlySet<SchoolId> | null = null): Promise<Page<School>> {
    const schools = [...this.state.schools.values()].filter((school) => only === null || only.has(school.id));
    return paginate(schools.sort(byId), page);
  }

  async update(school: School): Promise<void> {
    const stored = this.state.schools.get(school.id);
    check(stored !== undefined, 'school exists');
    check(stored!.currencyCode === school.currencyCode, 'currency immutable');
    this.state.schools.set(school.id, school);
  }

  async delete(id: SchoolId): Promise<void> {
    check(!(await this.hasDependents(id)), 'fk from students, invoices, payments');
    this.state.schools.delete(id);
    this.state.invoiceSequences.delete(id);
  }

  async hasDependents(id: SchoolId): Promise<boolean> {
    const owned = (row: { schoolId: SchoolId }) => row.schoolId === id;
    return (
      [...this.state.students.values()].some(owned) ||
      [...this.state.invoices.values()].some(owned) ||
      [...this.state.payments.values()].some(owned)
    );
  }

  async nextInvoiceSequence(id: SchoolId): Promise<bigint> {
    const next = (this.state.invoiceSequences.get(id) ?? 0n) + 1n;
    this.state.invoiceSequences.set(id, next);
    return next;
  }
}

export class InMemoryStudentRepository implements StudentRepository {
  constructor(private readonly state: InMemoryState) {}

  async insert(student: Student): Promise<void> {
    check(!this.state.students.has(student.id), 'students_pkey');
    this.requireSchool(student);
    this.requireUniqueRef(student);
    this.state.students.set(student.id, student);
  }

  async findById(id: StudentId): Promise<Student | null> {
    return this.state.students.get(id) ?? null;
  }

  lock(id: StudentId): Promise<Student | null> {
    return this.findById(id);
  }

  async list(filter: StudentFilter, page: PageRequest): Promise<Page<Student>> {
    const rows = [...this.state.students.values()].filter(
      (s) => s.schoolId === filter.schoolId && (filter.status === null || s.status === filter.status),
    );
    return paginate(rows.sort(byId), page);
  }

  async update(student: Student): Promise<void> {
    check(this.state.students.has(student.id), 'student exists');
    this.requireSchool(student);
    this.requireUniqueRef(student);
    this.state.students.set(student.id, student);
  }

  async delete(id: StudentId): Promise<void> {
    check(!(await this.hasFinancialRecords(id)), 'fk from invoices, payments');
    this.state.students.delete(id);
  }

  async hasFinancialRecords(id: StudentId): Promise<boolean> {
    const owned = (row: { studentId: StudentId }) => row.studentId === id;
    return [...this.state.invoices.values()].some(owned) || [...this.state.payments.values()].some(owned);
  }

  async accountSchools(id: StudentId): Promise<SchoolId[]> {
    const rows = [...this.state.invoices.values(), ...this.state.payments.values()].filter((row) => row.studentId === id);
    return [...new Set(rows.map((row) => row.schoolId))];
  }

  async balanceAt(id: StudentId, schoolId: SchoolId): Promise<AccountBalance> {
    const mine = <T extends { studentId: StudentId; schoolId: SchoolId }>(row: T) => row.studentId === id && row.schoolId === schoolId;
    let outstandingMinor = 0n;
    for (const invoice of this.state.invoices.values()) {
      if (mine(invoice) && invoice.state === 'ISSUED') outstandingMinor += invoice.amountMinor - invoice.appliedMinor;
    }
    let creditMinor = 0n;
    for (const payment of this.state.payments.values()) if (mine(payment)) creditMinor += unappliedOf(payment);
    return { outstandingMinor, creditMinor };
  }

  // As the PostgreSQL adapter translates a violation of students_school_id_fkey.
  private requireSchool(student: Student): void {
    if (!this.state.schools.has(student.schoolId)) throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'school_id');
  }

  private requireUniqueRef(student: Student): void {
    if (student.externalRef === null) return;
    for (const other of this.state.students.values()) {
      if (other.id !== student.id && other.schoolId === student.schoolId && other.externalRef === student.externalRef) {
        throw new DomainError('STUDENT_EXTERNAL_REF_TAKEN', 'another student of the school has this external_ref', 'external_ref');
      }
    }
  }
}

function checkInvoice(invoice: Invoice): void {
  check(invoice.appliedMinor >= 0n && invoice.appliedMinor <= invoice.amountMinor, 'invoices_applied_check');
  check(invoice.state === 'ISSUED' || invoice.appliedMinor === 0n, 'invoices_void_applied_check');
}

function checkPayment(payment: Payment): void {
  check(payment.appliedMinor >= 0n && payment.appliedMinor <= payment.amountMinor, 'payments_applied_check');
  check(payment.status === 'COMPLETED' || payment.appliedMinor === 0n, 'payments_reversed_applied_check');
}

export class InMemoryInvoiceRepository implements InvoiceRepository {
  constructor(private readonly state: InMemoryState) {}

  async insert(invoices: readonly Invoice[]): Promise<void> {
    for (const invoice of invoices) {
      check(!this.state.invoices.has(invoice.id), 'invoices_pkey');
      check(this.state.students.has(invoice.studentId) && this.state.schools.has(invoice.schoolId), 'invoices fks');
      check(
        ![...this.state.invoices.values()].some(
          (other) =>
            (other.schoolId === invoice.schoolId && other.sequence === invoice.sequence) ||
            (invoice.idempotencyKey !== null && other.studentId === invoice.studentId && other.idempotencyKey === invoice.idempotencyKey),
        ),
        'invoices unique sequence and idempotency key',
      );
      checkInvoice(invoice);
      this.state.invoices.set(invoice.id, invoice);
    }
  }

  async update(invoices: readonly Invoice[]): Promise<void> {
    for (const invoice of invoices) {
      const stored = this.state.invoices.get(invoice.id);
      check(stored !== undefined, 'invoice exists');
      checkInvoice(invoice);
      // Only the mutable fields change.
      this.state.invoices.set(invoice.id, {
        ...stored!,
        description: invoice.description,
        dueDate: invoice.dueDate,
        amountMinor: invoice.amountMinor,
        appliedMinor: invoice.appliedMinor,
        state: invoice.state,
        voidedAt: invoice.voidedAt,
        updatedAt: invoice.updatedAt,
      });
    }
  }

  async findById(id: InvoiceId): Promise<Invoice | null> {
    return this.state.invoices.get(id) ?? null;
  }

  async findByIds(ids: readonly InvoiceId[]): Promise<Invoice[]> {
    return ids.flatMap((id) => this.state.invoices.get(id) ?? []);
  }

  async findByIdempotencyKey(studentId: StudentId, key: string): Promise<Invoice | null> {
    return [...this.state.invoices.values()].find((i) => i.studentId === studentId && i.idempotencyKey === key) ?? null;
  }

  async list(filter: InvoiceFilter, page: PageRequest): Promise<Page<Invoice>> {
    const rows = [...this.state.invoices.values()].filter(
      (i) =>
        (filter.studentId === null || i.studentId === filter.studentId) &&
        (filter.schoolId === null || i.schoolId === filter.schoolId) &&
        (filter.status === null || statusOf(i) === filter.status),
    );
    return paginate(rows.sort(compareInvoiceOrder), page);
  }

  async lockLedger(studentId: StudentId, schoolId: SchoolId, alsoIds: readonly InvoiceId[]): Promise<Invoice[]> {
    return [...this.state.invoices.values()]
      .filter((i) => i.studentId === studentId && i.schoolId === schoolId && (isOpen(i) || alsoIds.includes(i.id)))
      .sort(compareInvoiceOrder);
  }
}

export class InMemoryPaymentRepository implements PaymentRepository {
  constructor(private readonly state: InMemoryState) {}

  async insert(payments: readonly Payment[]): Promise<void> {
    for (const payment of payments) {
      check(!this.state.payments.has(payment.id), 'payments_pkey');
      check(this.state.students.has(payment.studentId) && this.state.schools.has(payment.schoolId), 'payments fks');
      check(
        payment.idempotencyKey === null ||
          ![...this.state.payments.values()].some((o) => o.studentId === payment.studentId && o.idempotencyKey === payment.idempotencyKey),
        'payments unique idempotency key',
      );
      checkPayment(payment);
      this.state.payments.set(payment.id, payment);
    }
  }

  async update(payments: readonly Payment[]): Promise<void> {
    for (const payment of payments) {
      const stored = this.state.payments.get(payment.id);
      check(stored !== undefined, 'payment exists');
      checkPayment(payment);
      this.state.payments.set(payment.id, {
        ...stored!,
        appliedMinor: payment.appliedMinor,
        status: payment.status,
        reversedAt: payment.reversedAt,
        updatedAt: payment.updatedAt,
      });
    }
  }

  async findById(id: PaymentId): Promise<Payment | null> {
    return this.state.payments.get(id) ?? null;
  }

  async findByIdempotencyKey(studentId: StudentId, key: string): Promise<Payment | null> {
    return [...this.state.payments.values()].find((p) => p.studentId === studentId && p.idempotencyKey === key) ?? null;
  }

  async list(filter: PaymentFilter, page: PageRequest): Promise<Page<Payment>> {
    const rows = [...this.state.payments.values()].filter(
      (p) =>
        (filter.studentId === null || p.studentId === filter.studentId) &&
        (filter.schoolId === null || p.schoolId === filter.schoolId) &&
        (filter.status === null || p.status === filter.status),
    );
    return paginate(rows.sort((a, b) => compareCreditOrder(b, a)), page);
  }

  async lockLedger(studentId: StudentId, schoolId: SchoolId, alsoIds: readonly PaymentId[]): Promise<Payment[]> {
    return [...this.state.payments.values()]
      .filter((p) => p.studentId === studentId && p.schoolId === schoolId && (unappliedOf(p) > 0n || alsoIds.includes(p.id)))
      .sort(compareCreditOrder);
  }

  async insertAllocations(allocations: readonly Allocation[]): Promise<void> {
    for (const allocation of allocations) {
      check(!this.state.allocations.has(allocation.id), 'allocations_pkey');
      check(
        this.state.payments.has(allocation.paymentId) && this.state.invoices.has(allocation.invoiceId),
        'allocations fks',
      );
      check(allocation.amountMinor > 0n, 'allocations_amount_check');
      this.state.allocations.set(allocation.id, allocation);
    }
  }

  async releaseAllocations(allocations: readonly Allocation[]): Promise<void> {
    for (const allocation of allocations) {
      const stored = this.state.allocations.get(allocation.id);
      check(stored !== undefined && stored.releasedAt === null, 'allocation active');
      this.state.allocations.set(allocation.id, { ...stored!, releasedAt: allocation.releasedAt });
    }
  }

  async activeAllocationsOfPayments(paymentIds: readonly PaymentId[]): Promise<Allocation[]> {
    return [...this.state.allocations.values()].filter((a) => a.releasedAt === null && paymentIds.includes(a.paymentId)).sort(byId);
  }

  async activeAllocationsOfInvoice(invoiceId: InvoiceId): Promise<Allocation[]> {
    return [...this.state.allocations.values()].filter((a) => a.releasedAt === null && a.invoiceId === invoiceId).sort(byId);
  }
}

/** As the database does: versions of existing rows go up by one; deleted owners have none. */
function bumpVersions(state: InMemoryState, changed: ChangedStatements): void {
  for (const id of changed.studentIds) {
    if (state.students.has(id)) state.studentVersions.set(id, (state.studentVersions.get(id) ?? 0n) + 1n);
  }
  for (const id of changed.schoolIds) {
    if (state.schools.has(id)) state.schoolVersions.set(id, (state.schoolVersions.get(id) ?? 0n) + 1n);
  }
}

export function inMemoryRepositories(state: InMemoryState): Repositories {
  return {
    schools: new InMemorySchoolRepository(state),
    students: new InMemoryStudentRepository(state),
    invoices: new InMemoryInvoiceRepository(state),
    payments: new InMemoryPaymentRepository(state),
  };
}

/** Runs units of work one at a time; a failed one leaves the state as it was. */
export class InMemoryUnitOfWork implements UnitOfWork {
  private queue: Promise<unknown> = Promise.resolve();
  runs = 0;
  /** What each committed run changed, in commit order. */
  readonly committed: ChangedStatements[] = [];
  /** Called after each commit that changed statements, like the real unit of work. */
  onCommitted: (changed: ChangedStatements) => void = () => undefined;

  constructor(private readonly state: InMemoryState) {}

  run<T>(work: (scope: TransactionScope) => Promise<T>): Promise<T> {
    const result = this.queue.then(async () => {
      this.runs += 1;
      const before = this.state.snapshot();
      const changes = new StatementChangeSet();
      let done: T;
      try {
        done = await work({ ...inMemoryRepositories(this.state), statements: changes });
      } catch (error) {
        this.state.restore(before);
        throw error;
      }
      if (!changes.empty) {
        const changed = changes.changed();
        bumpVersions(this.state, changed);
        this.committed.push(changed);
        this.onCommitted(changed);
      }
      return done;
    });
    this.queue = result.catch(() => undefined);
    return result;
  }
}
