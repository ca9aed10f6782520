/**
 * Bulk-loads the benchmark datasets straight into the schema (the service's
 * own allocator decides how payments apply, so every invariant holds), from
 * a seed: the same seed gives the same amounts, dates and allocations.
 *   S: the seed note's school, 100 students × 12 invoices × ~10 payments
 *   M: 1,000 students   L: 10,000 students (120,000 invoices, ~100,000 payments)
 */
import type pg from 'pg';
import { v7 } from 'uuid';
import type { Allocation } from '../src/domain/allocation.js';
import { addDays, type CalendarDate } from '../src/domain/calendar-date.js';
import type { AllocationId, InvoiceId, PaymentId, SchoolId, StudentId } from '../src/domain/ids.js';
import { type Invoice, formatInvoiceNumber } from '../src/domain/invoice.js';
import { StudentLedger } from '../src/domain/ledger.js';
import type { Payment } from '../src/domain/payment.js';

export const SIZES = { S: 100, M: 1_000, L: 10_000 } as const;
export type DatasetSize = keyof typeof SIZES;

export interface Dataset {
  readonly size: DatasetSize;
  readonly schoolId: SchoolId;
  readonly studentIds: readonly StudentId[];
  readonly invoices: number;
  readonly payments: number;
  readonly loadMs: number;
}

/** mulberry32: small, fast, good enough to make data reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TODAY = '2026-03-10' as CalendarDate;
const NOW = new Date('2026-03-10T12:00:00Z');
const FIRST = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'John'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen', 'Backus'];
const BATCH = 5_000;

async function insert(client: pg.PoolClient, table: string, columns: Record<string, string>, rows: readonly (readonly unknown[])[]): Promise<void> {
  const names = Object.keys(columns);
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const arrays = names.map((_, i) => batch.map((row) => row[i]));
    const unnest = names.map((name, i) => `$${i + 1}::${columns[name]}[]`).join(', ');
    await client.query(`INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${unnest})`, arrays);
  }
}

export function loadDataset(pool: pg.Pool, size: DatasetSize, seed: number): Promise<Dataset> {
  return loadSchool(pool, { size, students: SIZES[size], payments: true, seed });
}

/** Students with 12 open invoices each and no payment yet: every CreatePayment sample gets a fresh one. */
export function loadUnpaidSchool(pool: pg.Pool, students: number, seed: number): Promise<Dataset> {
  return loadSchool(pool, { size: 'S', students, payments: false, seed });
}

async function loadSchool(
  pool: pg.Pool,
  options: { size: DatasetSize; students: number; payments: boolean; seed: number },
): Promise<Dataset> {
  const { size, seed } = options;
  const started = performance.now();
  const random = prng(seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const schoolId = v7() as SchoolId;
  const students: unknown[][] = [];
  const invoiceRows: unknown[][] = [];
  const paymentRows: unknown[][] = [];
  const allocationRows: unknown[][] = [];
  let sequence = 0n;

  for (let s = 0; s < options.students; s += 1) {
    const studentId = v7() as StudentId;
    students.push([studentId, schoolId, FIRST[s % FIRST.length], `${LAST[(s * 7) % LAST.length]}-${s}`, 'ACTIVE', NOW, NOW]);
    const invoices: Invoice[] = [];
    for (let i = 0; i < 12; i += 1) {
      sequence += 1n;
      // Monthly fees from eight months ago to four months ahead.
      const issueDate = addDays(TODAY, -240 + i * 30);
      invoices.push({
        id: v7() as InvoiceId,
        schoolId,
        studentId,
        sequence,
        number: formatInvoiceNumber(sequence),
        description: `Tuition month ${i + 1}`,
        amountMinor: BigInt(between(20_000, 60_000)),
        appliedMinor: 0n,
        issueDate: issueDate > TODAY ? TODAY : issueDate,
        dueDate: addDays(issueDate > TODAY ? TODAY : issueDate, 30 + i * 2),
        state: 'ISSUED',
        idempotencyKey: null,
        requestFingerprint: null,
        createdAt: NOW,
        updatedAt: NOW,
        voidedAt: null,
      });
    }
    let next = 0;
    const ledger = new StudentLedger(studentId, schoolId, { invoices, payments: [] }, NOW, () => v7() as AllocationId);
    const payments = options.payments ? between(8, 12) : 0;
    for (let p = 0; p < payments; p += 1) {
      const payment: Payment = {
        id: v7() as PaymentId,
        schoolId,
        studentId,
        amountMinor: BigInt(between(10_000, 50_000)),
        appliedMinor: 0n,
        paidAt: new Date(NOW.getTime() - (payments - p) * 20 * 86_400_000 - next++ * 1000),
        method: 'BANK_TRANSFER',
        reference: `bench-${s}-${p}`,
        status: 'COMPLETED',
        idempotencyKey: null,
        requestFingerprint: null,
        createdAt: NOW,
        updatedAt: NOW,
        reversedAt: null,
      };
      ledger.receive(payment, []);
    }
    const changes = ledger.changes();
    for (const invoice of invoices.map((i) => ledger.invoice(i.id)!)) {
      invoiceRows.push([
        invoice.id, schoolId, studentId, invoice.sequence.toString(), invoice.number, invoice.description,
        invoice.amountMinor.toString(), invoice.appliedMinor.toString(), invoice.issueDate, invoice.dueDate, 'ISSUED', NOW, NOW,
      ]);
    }
    for (const payment of changes.newPayments) {
      paymentRows.push([
        payment.id, schoolId, studentId, payment.amountMinor.toString(), payment.appliedMinor.toString(), payment.paidAt,
        payment.method, payment.reference, 'COMPLETED', NOW, NOW,
      ]);
    }
    for (const allocation of changes.newAllocations as Allocation[]) {
      allocationRows.push([allocation.id, allocation.paymentId, allocation.invoiceId, studentId, schoolId, allocation.amountMinor.toString(), NOW]);
    }
  }

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO schools (id, name, currency_code, timezone, invoice_sequence, created_at, updated_at) VALUES ($1, $2, 'USD', 'America/New_York', $3, $4, $4)`,
      [schoolId, `Bench ${size} school`, sequence.toString(), NOW],
    );
    await insert(client, 'students', { id: 'uuid', school_id: 'uuid', first_name: 'text', last_name: 'text', status: 'text', created_at: 'timestamptz', updated_at: 'timestamptz' }, students);
    await insert(
      client,
      'invoices',
      {
        id: 'uuid', school_id: 'uuid', student_id: 'uuid', sequence: 'bigint', number: 'text', description: 'text',
        amount_minor: 'bigint', applied_minor: 'bigint', issue_date: 'date', due_date: 'date', state: 'text', created_at: 'timestamptz', updated_at: 'timestamptz',
      },
      invoiceRows,
    );
    await insert(
      client,
      'payments',
      {
        id: 'uuid', school_id: 'uuid', student_id: 'uuid', amount_minor: 'bigint', applied_minor: 'bigint', paid_at: 'timestamptz',
        method: 'text', reference: 'text', status: 'text', created_at: 'timestamptz', updated_at: 'timestamptz',
      },
      paymentRows,
    );
    await insert(
      client,
      'allocations',
      { id: 'uuid', payment_id: 'uuid', invoice_id: 'uuid', student_id: 'uuid', school_id: 'uuid', amount_minor: 'bigint', created_at: 'timestamptz' },
      allocationRows,
    );
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  return {
    size,
    schoolId,
    studentIds: students.map((row) => row[0] as StudentId),
    invoices: invoiceRows.length,
    payments: paymentRows.length,
    loadMs: performance.now() - started,
  };
}
