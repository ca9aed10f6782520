import type { Sequelize, Transaction } from 'sequelize';
import type { InvoiceFilter, InvoiceRepository } from '../../application/ports/invoice-repository.js';
import type { InvoiceId, SchoolId, StudentId } from '../../domain/ids.js';
import type { Invoice } from '../../domain/invoice.js';
import type { Page, PageRequest } from '../../domain/page.js';
import { type PageKey, decodePageToken, fetchLimit, keysetPage } from './page-tokens.js';
import { INVOICE_COLUMNS, type Row, int8, invoiceOf, optionalTimestamp, timestamp } from './rows.js';
import { Sql } from './sql.js';

/** Invoice order: due date, issue date, issue sequence, then id (sequences repeat across schools). */
const INVOICE_ORDER = 'due_date, issue_date, sequence, id';
const INVOICES_PAGE: PageKey = { list: 'invoices', parts: ['date', 'date', 'integer', 'uuid'] };

/** The derived payment status, as `statusOf` in the domain computes it. */
export const INVOICE_STATUS_SQL = `CASE WHEN state = 'VOID' THEN 'VOID'
  WHEN applied_minor = 0 THEN 'UNPAID'
  WHEN applied_minor = amount_minor THEN 'PAID'
  ELSE 'PARTIALLY_PAID' END`;

// One statement for any number of rows: parallel arrays unnested in column order.
const INSERT = `
INSERT INTO invoices (${INVOICE_COLUMNS})
SELECT * FROM unnest(
  $id::uuid[], $schoolId::uuid[], $studentId::uuid[], $sequence::bigint[], $number::text[], $description::text[],
  $amountMinor::bigint[], $appliedMinor::bigint[], $issueDate::date[], $dueDate::date[], $state::text[],
  $idempotencyKey::text[], $requestFingerprint::text[], $createdAt::timestamptz[], $updatedAt::timestamptz[], $voidedAt::timestamptz[])`;

const UPDATE = `
UPDATE invoices AS i
   SET description = v.description, due_date = v.due_date, amount_minor = v.amount_minor, applied_minor = v.applied_minor,
       state = v.state, voided_at = v.voided_at, updated_at = v.updated_at
  FROM unnest($id::uuid[], $description::text[], $dueDate::date[], $amountMinor::bigint[], $appliedMinor::bigint[],
              $state::text[], $voidedAt::timestamptz[], $updatedAt::timestamptz[])
       AS v (id, description, due_date, amount_minor, applied_minor, state, voided_at, updated_at)
 WHERE i.id = v.id`;

export class SequelizeInvoiceRepository implements InvoiceRepository {
  private readonly sql: Sql;

  constructor(sequelize: Sequelize, transaction: Transaction | null = null) {
    this.sql = new Sql(sequelize, transaction);
  }

  async insert(invoices: readonly Invoice[]): Promise<void> {
    if (invoices.length === 0) return;
    await this.sql.execute(INSERT, {
      id: invoices.map((i) => i.id),
      schoolId: invoices.map((i) => i.schoolId),
      studentId: invoices.map((i) => i.studentId),
      sequence: invoices.map((i) => int8(i.sequence)),
      number: invoices.map((i) => i.number),
      description: invoices.map((i) => i.description),
      amountMinor: invoices.map((i) => int8(i.amountMinor)),
      appliedMinor: invoices.map((i) => int8(i.appliedMinor)),
      issueDate: invoices.map((i) => i.issueDate),
      dueDate: invoices.map((i) => i.dueDate),
      state: invoices.map((i) => i.state),
      idempotencyKey: invoices.map((i) => i.idempotencyKey),
      requestFingerprint: invoices.map((i) => i.requestFingerprint),
      createdAt: invoices.map((i) => timestamp(i.createdAt)),
      updatedAt: invoices.map((i) => timestamp(i.updatedAt)),
      voidedAt: invoices.map((i) => optionalTimestamp(i.voidedAt)),
    });
  }

  async update(invoices: readonly Invoice[]): Promise<void> {
    if (invoices.length === 0) return;
    const count = await this.sql.execute(UPDATE, {
      id: invoices.map((i) => i.id),
      description: invoices.map((i) => i.description),
      dueDate: invoices.map((i) => i.dueDate),
      amountMinor: invoices.map((i) => int8(i.amountMinor)),
      appliedMinor: invoices.map((i) => int8(i.appliedMinor)),
      state: invoices.map((i) => i.state),
      voidedAt: invoices.map((i) => optionalTimestamp(i.voidedAt)),
      updatedAt: invoices.map((i) => timestamp(i.updatedAt)),
    });
    if (count !== new Set(invoices.map((i) => i.id)).size) throw new Error('invariant: an invoice to update does not exist');
  }

  async findById(id: InvoiceId): Promise<Invoice | null> {
    const row = await this.sql.one<Row>(`SELECT ${INVOICE_COLUMNS} FROM invoices WHERE id = $id`, { id });
    return row && invoiceOf(row);
  }

  async findByIds(ids: readonly InvoiceId[]): Promise<Invoice[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.select<Row>(`SELECT ${INVOICE_COLUMNS} FROM invoices WHERE id = ANY($ids::uuid[]) ORDER BY ${INVOICE_ORDER}`, {
      ids: [...ids],
    });
    return rows.map(invoiceOf);
  }

  async findByIdempotencyKey(studentId: StudentId, key: string): Promise<Invoice | null> {
    const row = await this.sql.one<Row>(`SELECT ${INVOICE_COLUMNS} FROM invoices WHERE student_id = $studentId AND idempotency_key = $key`, {
      studentId,
      key,
    });
    return row && invoiceOf(row);
  }

  async list(filter: InvoiceFilter, page: PageRequest): Promise<Page<Invoice>> {
    const [dueDate, issueDate, sequence, id] = page.token === null ? [null, null, null, null] : decodePageToken(INVOICES_PAGE, page.token);
    const rows = await this.sql.select<Row>(
      `SELECT ${INVOICE_COLUMNS} FROM invoices
        WHERE ($studentId::uuid IS NULL OR student_id = $studentId::uuid)
          AND ($schoolId::uuid IS NULL OR school_id = $schoolId::uuid)
          AND ($status::text IS NULL OR ${INVOICE_STATUS_SQL} = $status::text)
          AND ($afterId::uuid IS NULL
               OR (due_date, issue_date, sequence, id) > ($afterDue::date, $afterIssue::date, $afterSequence::bigint, $afterId::uuid))
        ORDER BY ${INVOICE_ORDER}
        LIMIT $limit`,
      {
        studentId: filter.studentId,
        schoolId: filter.schoolId,
        status: filter.status,
        afterDue: dueDate,
        afterIssue: issueDate,
        afterSequence: sequence,
        afterId: id,
        limit: fetchLimit(page),
      },
    );
    return keysetPage(rows.map(invoiceOf), page, INVOICES_PAGE, (i) => [i.dueDate, i.issueDate, int8(i.sequence), i.id]);
  }

  async lockLedger(studentId: StudentId, schoolId: SchoolId, alsoIds: readonly InvoiceId[]): Promise<Invoice[]> {
    const rows = await this.sql.select<Row>(
      `SELECT ${INVOICE_COLUMNS} FROM invoices
        WHERE student_id = $studentId AND school_id = $schoolId
          AND ((state = 'ISSUED' AND applied_minor < amount_minor) OR id = ANY($alsoIds::uuid[]))
        ORDER BY ${INVOICE_ORDER}
        FOR UPDATE`,
      { studentId, schoolId, alsoIds: [...alsoIds] },
    );
    return rows.map(invoiceOf);
  }
}
