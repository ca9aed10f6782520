import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { remainingMs, requireTimeLeft } from './call-deadline.js';
import { translateDatabaseError } from './errors.js';

/** Named bind parameters (`$name` in the SQL text); values travel separately from the text. */
export type Bind = Readonly<Record<string, unknown>>;

/**
 * Raw SQL through Sequelize, bound to one transaction when there is one, with
 * plain rows back and database errors translated in one place. No statement
 * starts once the call it runs for is past its deadline or cancelled
 * (call-deadline.ts).
 */
export class Sql {
  constructor(
    readonly sequelize: Sequelize,
    readonly transaction: Transaction | null = null,
  ) {}

  async select<Row extends object>(sql: string, bind?: Bind): Promise<Row[]> {
    requireTimeLeft();
    try {
      return await this.sequelize.query<Row>(sql, {
        type: QueryTypes.SELECT,
        raw: true,
        ...(bind ? { bind: { ...bind } } : {}),
        ...(this.transaction ? { transaction: this.transaction } : {}),
      });
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  async one<Row extends object>(sql: string, bind?: Bind): Promise<Row | null> {
    const rows = await this.select<Row>(sql, bind);
    return rows[0] ?? null;
  }

  /** Runs a write and returns the number of rows it touched. */
  async execute(sql: string, bind?: Bind): Promise<number> {
    requireTimeLeft();
    try {
      const count: unknown = await this.sequelize.query(sql, {
        type: QueryTypes.BULKUPDATE,
        ...(bind ? { bind: { ...bind } } : {}),
        ...(this.transaction ? { transaction: this.transaction } : {}),
      });
      return Number(count);
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  /**
   * In a transaction: caps every following statement of it at the time the
   * call has left (`SET LOCAL statement_timeout`, lock waits included), so
   * the database gives up when the caller does and the transaction rolls
   * back. Nothing is sent when the call has no deadline.
   */
  async limitToDeadline(): Promise<void> {
    if (this.transaction === null) throw new Error('invariant: statement_timeout is set per transaction');
    const left = remainingMs();
    if (left === null) return;
    await this.select(`SELECT set_config('statement_timeout', $timeout, true)`, { timeout: `${left}ms` });
  }
}
