import type { Sequelize, Transaction } from 'sequelize';
import type { PaymentFilter, PaymentRepository } from '../../application/ports/payment-repository.js';
import type { Allocation } from '../../domain/allocation.js';
import type { InvoiceId, PaymentId, SchoolId, StudentId } from '../../domain/ids.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { Payment } from '../../domain/payment.js';
import { type PageKey, decodePageToken, fetchLimit, keysetPage } from './page-tokens.js';
import { ALLOCATION_COLUMNS, PAYMENT_COLUMNS, type Row, allocationOf, int8, optionalTimestamp, paymentOf, timestamp } from './rows.js';
import { Sql } from './sql.js';

/** Newest first: paid_at, then creation time, then id, all descending. */
const NEWEST_FIRST = 'paid_at DESC, created_at DESC, id DESC';
/** Credit order, oldest payment first (the reverse of newest first). */
const CREDIT_ORDER = 'paid_at, created_at, id';
const PAYMENTS_PAGE: PageKey = { list: 'payments', parts: ['instant', 'instant', 'uuid'] };

const INSERT = `
INSERT INTO payments (${PAYMENT_COLUMNS})
SELECT * FROM unnest(
  $id::uuid[], $schoolId::uuid[], $studentId::uuid[], $amountMinor::bigint[], $appliedMinor::bigint[], $paidAt::timestamptz[],
  $method::text[], $reference::text[], $status::text[], $idempotencyKey::text[], $requestFingerprint::text[],
  $createdAt::timestamptz[], $updatedAt::timestamptz[], $reversedAt::timestamptz[])`;

const UPDATE = `
UPDATE payments AS p
   SET applied_minor = v.applied_minor, status = v.status, reversed_at = v.reversed_at, updated_at = v.updated_at
  FROM unnest($id::uuid[], $appliedMinor::bigint[], $status::text[], $reversedAt::timestamptz[], $updatedAt::timestamptz[])
       AS v (id, applied_minor, status, reversed_at, updated_at)
 WHERE p.id = v.id`;

const INSERT_ALLOCATIONS = `
INSERT INTO allocations (${ALLOCATION_COLUMNS})
SELECT * FROM unnest(
  $id::uuid[], $paymentId::uuid[], $invoiceId::uuid[], $studentId::uuid[], $schoolId::uuid[], $amountMinor::bigint[],
  $createdAt::timestamptz[], $releasedAt::timestamptz[])`;

const RELEASE_ALLOCATIONS = `
UPDATE allocations AS a
   SET released_at = v.released_at
  FROM unnest($id::uuid[], $releasedAt::timestamptz[]) AS v (id, released_at)
 WHERE a.id = v.id AND a.released_at IS NULL`;

export class SequelizePaymentRepository implements PaymentRepository {
  private readonly sql: Sql;

  constructor(sequelize: Sequelize, transaction: Transaction | null = null) {
    this.sql = new Sql(sequelize, transaction);
  }

  async insert(payments: readonly Payment[]): Promise<void> {
    if (payments.length === 0) return;
    await this.sql.execute(INSERT, {
      id: payments.map((p) => p.id),
      schoolId: payments.map((p) => p.schoolId),
      studentId: payments.map((p) => p.studentId),
      amountMinor: payments.map((p) => int8(p.amountMinor)),
      appliedMinor: payments.map((p) => int8(p.appliedMinor)),
      paidAt: payments.map((p) => timestamp(p.paidAt)),
      method: payments.map((p) => p.method),
      reference: payments.map((p) => p.reference),
      status: payments.map((p) => p.status),
      idempotencyKey: payments.map((p) => p.idempotencyKey),
      requestFingerprint: payments.map((p) => p.requestFingerprint),
      createdAt: payments.map((p) => timestamp(p.createdAt)),
      updatedAt: payments.map((p) => timestamp(p.updatedAt)),
      reversedAt: payments.map((p) => optionalTimestamp(p.reversedAt)),
    });
  }

  async update(payments: readonly Payment[]): Promise<void> {
    if (payments.length === 0) return;
    const count = await this.sql.execute(UPDATE, {
      id: payments.map((p) => p.id),
      appliedMinor: payments.map((p) => int8(p.appliedMinor)),
      status: payments.map((p) => p.status),
      reversedAt: payments.map((p) => optionalTimestamp(p.reversedAt)),
      updatedAt: payments.map((p) => timestamp(p.updatedAt)),
    });
    if (count !== new Set(payments.map((p) => p.id)).size) throw new Error('invariant: a payment to update does not exist');
  }

  async findById(id: PaymentId): Promise<Payment | null> {
    const row = await this.sql.one<Row>(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE id = $id`, { id });
    return row && paymentOf(row);
  }

  async findByIdempotencyKey(studentId: StudentId, key: string): Promise<Payment | null> {
    const row = await this.sql.one<Row>(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE student_id = $studentId AND idempotency_key = $key`, {
      studentId,
      key,
    });
    return row && paymentOf(row);
  }

  async list(filter: PaymentFilter, page: PageRequest): Promise<Page<Payment>> {
    const [paidAt, createdAt, id] = page.token === null ? [null, null, null] : decodePageToken(PAYMENTS_PAGE, page.token);
    const rows = await this.sql.select<Row>(
      `SELECT ${PAYMENT_COLUMNS} FROM payments
        WHERE ($studentId::uuid IS NULL OR student_id = $studentId::uuid)
          AND ($schoolId::uuid IS NULL OR school_id = $schoolId::uuid)
          AND ($status::text IS NULL OR status = $status::text)
          AND ($afterId::uuid IS NULL
               OR (paid_at, created_at, id) < ($afterPaidAt::timestamptz, $afterCreatedAt::timestamptz, $afterId::uuid))
        ORDER BY ${NEWEST_FIRST}
        LIMIT $limit`,
      {
        studentId: filter.studentId,
        schoolId: filter.schoolId,
        status: filter.status,
        afterPaidAt: paidAt,
        afterCreatedAt: createdAt,
        afterId: id,
        limit: fetchLimit(page),
      },
    );
    return keysetPage(rows.map(paymentOf), page, PAYMENTS_PAGE, (p) => [timestamp(p.paidAt), timestamp(p.createdAt), p.id]);
  }

  async lockLedger(studentId: StudentId, schoolId: SchoolId, alsoIds: readonly PaymentId[]): Promise<Payment[]> {
    // Without named payments (every new payment) the array test goes: PostgreSQL plans the
    // array form again at each execution, judging its generic plan dearer (statement-versions.ts).
    const credit = `status = 'COMPLETED' AND applied_minor < amount_minor`;
    const rows = await this.sql.select<Row>(
      `SELECT ${PAYMENT_COLUMNS} FROM payments
        WHERE student_id = $studentId AND school_id = $schoolId
          AND ${alsoIds.length === 0 ? credit : `((${credit}) OR id = ANY($alsoIds::uuid[]))`}
        ORDER BY ${CREDIT_ORDER}
        FOR UPDATE`,
      { studentId, schoolId, alsoIds: [...alsoIds] },
    );
    return rows.map(paymentOf);
  }

  async insertAllocations(allocations: readonly Allocation[]): Promise<void> {
    if (allocations.length === 0) return;
    await this.sql.execute(INSERT_ALLOCATIONS, {
      id: allocations.map((a) => a.id),
      paymentId: allocations.map((a) => a.paymentId),
      invoiceId: allocations.map((a) => a.invoiceId),
      studentId: allocations.map((a) => a.studentId),
      schoolId: allocations.map((a) => a.schoolId),
      amountMinor: allocations.map((a) => int8(a.amountMinor)),
      createdAt: allocations.map((a) => timestamp(a.createdAt)),
      releasedAt: allocations.map((a) => optionalTimestamp(a.releasedAt)),
    });
  }

  async releaseAllocations(allocations: readonly Allocation[]): Promise<void> {
    if (allocations.length === 0) return;
    const count = await this.sql.execute(RELEASE_ALLOCATIONS, {
      id: allocations.map((a) => a.id),
      releasedAt: allocations.map((a) => {
        if (a.releasedAt === null) throw new Error(`invariant: allocation ${a.id} to release has no releasedAt`);
        return timestamp(a.releasedAt);
      }),
    });
    if (count !== new Set(allocations.map((a) => a.id)).size) throw new Error('invariant: an allocation to release is not active');
  }

  async activeAllocationsOfPayments(paymentIds: readonly PaymentId[]): Promise<Allocation[]> {
    if (paymentIds.length === 0) return [];
    const rows = await this.sql.select<Row>(
      `SELECT ${ALLOCATION_COLUMNS} FROM allocations WHERE payment_id = ANY($paymentIds::uuid[]) AND released_at IS NULL ORDER BY id`,
      { paymentIds: [...paymentIds] },
    );
    return rows.map(allocationOf);
  }

  async activeAllocationsOfInvoice(invoiceId: InvoiceId): Promise<Allocation[]> {
    const rows = await this.sql.select<Row>(
      `SELECT ${ALLOCATION_COLUMNS} FROM allocations WHERE invoice_id = $invoiceId AND released_at IS NULL ORDER BY id`,
      { invoiceId },
    );
    return rows.map(allocationOf);
  }
}
