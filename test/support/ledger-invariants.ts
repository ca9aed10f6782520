import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * SPEC §3's invariants, checked on the stored rows with SQL written for the
 * test (not the service's queries): every violation found is listed.
 */
export async function ledgerViolations(sequelize: Sequelize): Promise<string[]> {
  const checks: Record<string, string> = {
    'invoice applied outside 0..amount': `SELECT id FROM invoices WHERE applied_minor < 0 OR applied_minor > amount_minor`,
    'invoice applied ≠ Σ active allocations': `
      SELECT i.id FROM invoices i
      LEFT JOIN allocations a ON a.invoice_id = i.id AND a.released_at IS NULL
      GROUP BY i.id, i.applied_minor HAVING i.applied_minor <> COALESCE(SUM(a.amount_minor), 0)`,
    'payment applied ≠ Σ active allocations': `
      SELECT p.id FROM payments p
      LEFT JOIN allocations a ON a.payment_id = p.id AND a.released_at IS NULL
      GROUP BY p.id, p.applied_minor HAVING p.applied_minor <> COALESCE(SUM(a.amount_minor), 0)`,
    'payment Σ allocations > amount': `
      SELECT p.id FROM payments p JOIN allocations a ON a.payment_id = p.id AND a.released_at IS NULL
      GROUP BY p.id, p.amount_minor HAVING SUM(a.amount_minor) > p.amount_minor`,
    'void invoice or reversed payment with active allocations': `
      SELECT a.id FROM allocations a
      JOIN invoices i ON i.id = a.invoice_id JOIN payments p ON p.id = a.payment_id
      WHERE a.released_at IS NULL AND (i.state = 'VOID' OR p.status = 'REVERSED')`,
    'allocation across accounts': `
      SELECT a.id FROM allocations a
      JOIN invoices i ON i.id = a.invoice_id JOIN payments p ON p.id = a.payment_id
      WHERE i.student_id <> p.student_id OR i.school_id <> p.school_id
         OR a.student_id <> i.student_id OR a.school_id <> i.school_id`,
    'credit beside an open invoice (credit rule)': `
      SELECT p.student_id FROM payments p
      WHERE p.status = 'COMPLETED' AND p.applied_minor < p.amount_minor
        AND EXISTS (SELECT 1 FROM invoices i WHERE i.student_id = p.student_id AND i.school_id = p.school_id
                    AND i.state = 'ISSUED' AND i.applied_minor < i.amount_minor)`,
  };
  const violations: string[] = [];
  for (const [name, sql] of Object.entries(checks)) {
    const rows = await sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT });
    for (const row of rows) violations.push(`${name}: ${JSON.stringify(row)}`);
  }
  return violations;
}

export async function expectLedgerInvariants(sequelize: Sequelize): Promise<void> {
  expect(await ledgerViolations(sequelize)).to.deep.equal([]);
}

/** The same checks on the database at `url` (e.g. a private server), through a short-lived connection. */
export async function expectLedgerInvariantsAt(url: string): Promise<void> {
  const { createSequelize } = await import('../../src/infrastructure/postgres/sequelize.js');
  const sequelize = createSequelize(url, { poolMax: 1 });
  try {
    await expectLedgerInvariants(sequelize);
  } finally {
    await sequelize.close();
  }
}
