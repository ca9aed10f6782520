import type { Sequelize } from 'sequelize';
import type { BilledTarget, ResourceOwnership } from '../../application/ports/resource-ownership.js';
import type { SchoolId } from '../../domain/ids.js';
import { type Row, textOf } from './rows.js';
import { Sql } from './sql.js';

/** One primary-key read per kind; the table comes from this fixed map, never from the request. */
const SCHOOL_OF: Readonly<Record<BilledTarget['kind'], string>> = {
  invoice: 'SELECT school_id FROM invoices WHERE id = $id',
  payment: 'SELECT school_id FROM payments WHERE id = $id',
};

/** The school of an invoice (issuing) or payment (receiving), outside any transaction. */
export class SequelizeResourceOwnership implements ResourceOwnership {
  private readonly sql: Sql;

  constructor(sequelize: Sequelize) {
    this.sql = new Sql(sequelize);
  }

  async schoolOf(target: BilledTarget): Promise<SchoolId | null> {
    const row = await this.sql.one<Row>(SCHOOL_OF[target.kind], { id: target.id });
    return row ? (textOf(row.school_id, 'school_id') as SchoolId) : null;
  }
}
