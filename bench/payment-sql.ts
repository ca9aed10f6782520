import type pg from 'pg';

export interface PaidBySql {
  readonly appliedMinor: bigint;
  readonly allocations: { invoiceId: string; amountMinor: bigint }[];
}

/**
 * The statement sequence CreatePayment issues for a payment with automatic
 * allocation, through plain `pg` with prepared statements: lock the student,
 * lock the open invoices and the credit, insert the payment and its
 * allocations, update the invoices, bump the statement versions, commit.
 * The SQL baseline and the floor server both run it.
 */
export async function payBySql(
  client: pg.Client,
  payment: { id: string; studentId: string; schoolId: string; amountMinor: bigint; now: Date },
): Promise<PaidBySql> {
  const { id, studentId, schoolId, now } = payment;
  await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
  try {
    await client.query({ name: 'lock-student', text: 'SELECT id, school_id FROM students WHERE id = $1 FOR UPDATE', values: [studentId] });
    const open = await client.query<{ id: string; amount_minor: string; applied_minor: string }>({
      name: 'open-invoices',
      text: `SELECT id, amount_minor, applied_minor FROM invoices WHERE student_id = $1 AND school_id = $2 AND state = 'ISSUED' AND applied_minor < amount_minor
             ORDER BY due_date, issue_date, sequence, id FOR UPDATE`,
      values: [studentId, schoolId],
    });
    await client.query({
      name: 'credit-payments',
      text: `SELECT id FROM payments WHERE student_id = $1 AND school_id = $2 AND status = 'COMPLETED' AND applied_minor < amount_minor ORDER BY paid_at, created_at, id FOR UPDATE`,
      values: [studentId, schoolId],
    });
    let left = payment.amountMinor;
    const allocations: PaidBySql['allocations'] = [];
    const applied: string[] = [];
    for (const row of open.rows) {
      const outstanding = BigInt(row.amount_minor) - BigInt(row.applied_minor);
      const take = left < outstanding ? left : outstanding;
      if (take <= 0n) break;
      allocations.push({ invoiceId: row.id, amountMinor: take });
      applied.push((BigInt(row.applied_minor) + take).toString());
      left -= take;
    }
    const ids = allocations.map((allocation) => allocation.invoiceId);
    await client.query({
      name: 'insert-payment',
      text: `INSERT INTO payments (id, school_id, student_id, amount_minor, applied_minor, paid_at, method, reference, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'CARD', '', 'COMPLETED', $6, $6)`,
      values: [id, schoolId, studentId, payment.amountMinor.toString(), (payment.amountMinor - left).toString(), now],
    });
    await client.query({
      name: 'insert-allocations',
      text: `INSERT INTO allocations (id, payment_id, invoice_id, student_id, school_id, amount_minor, created_at)
             SELECT gen_random_uuid(), $1, invoice_id, $2, $3, amount, $4 FROM unnest($5::uuid[], $6::bigint[]) AS a(invoice_id, amount)`,
      values: [id, studentId, schoolId, now, ids, allocations.map((allocation) => allocation.amountMinor.toString())],
    });
    await client.query({
      name: 'update-invoices',
      text: `UPDATE invoices i SET applied_minor = v.applied, updated_at = $3 FROM unnest($1::uuid[], $2::bigint[]) AS v(id, applied) WHERE i.id = v.id`,
      values: [ids, applied, now],
    });
    await client.query({
      name: 'bump-versions',
      text: `WITH s AS (UPDATE students SET data_version = data_version + 1 WHERE id = $1 RETURNING 1)
             UPDATE schools SET data_version = data_version + 1 WHERE id = $2`,
      values: [studentId, schoolId],
    });
    await client.query('COMMIT');
    return { appliedMinor: payment.amountMinor - left, allocations };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
