import { type Sequelize, Transaction } from 'sequelize';
import { remainingMs, requireTimeLeft } from './call-deadline.js';
import { translateDatabaseError } from './errors.js';

/** Named bind parameters (`$name` in the SQL text); values travel separately from the text. */
export type Bind = Readonly<Record<string, unknown>>;

/** The part of a pg client this helper uses: Sequelize's connections are pg clients. */
interface PgClient {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: object[]; rowCount: number | null }>;
}

interface ConnectionManager {
  getConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<void>;
}

const connectionsOf = (sequelize: Sequelize) => sequelize.connectionManager as unknown as ConnectionManager;
const loggingOf = (sequelize: Sequelize) => (sequelize as unknown as { options: { logging?: unknown } }).options.logging;

interface Compiled {
  /** Prepared statement name: each connection parses and plans the text once. */
  readonly name: string;
  readonly text: string;
  readonly parameters: readonly string[];
}

const compiled = new Map<string, Compiled>();
const NAMED = /\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** `$name` → `$1…$n` once per text; every occurrence of a name shares its position. */
function compile(sql: string): Compiled {
  let found = compiled.get(sql);
  if (!found) {
    const parameters: string[] = [];
    const text = sql.replace(NAMED, (_match, name: string) => {
      let index = parameters.indexOf(name);
      if (index < 0) index = parameters.push(name) - 1;
      return `$${index + 1}`;
    });
    found = { name: `billing_${compiled.size}`, text, parameters };
    compiled.set(sql, found);
  }
  return found;
}

function valuesOf(statement: Compiled, bind: Bind | undefined): unknown[] {
  return statement.parameters.map((name) => {
    if (!bind || !(name in bind)) throw new Error(`invariant: no value for $${name}`);
    const value = bind[name];
    return value === undefined ? null : value;
  });
}

/** `sql` with `$name` parameters → the named prepared statement pg runs, values bound. */
export function preparedQuery(sql: string, bind?: Bind): { name: string; text: string; values: unknown[] } {
  const statement = compile(sql);
  return { name: statement.name, text: statement.text, values: valuesOf(statement, bind) };
}

/**
 * Raw SQL on Sequelize's own pooled pg connections — the transaction's
 * connection when there is one — as named prepared statements, with plain
 * rows back and database errors translated in one place. It skips
 * Sequelize's per-query machinery (~0.2 ms of CPU a query, more than the
 * round trip here; docs/decisions.md). Sequelize's `logging` option still
 * sees every statement. No statement starts once the call it runs for is
 * past its deadline or cancelled (call-deadline.ts).
 */
export class Sql {
  /** The connection every statement goes to; null: one from the pool per statement. */
  private readonly connection: PgClient | null;

  constructor(
    readonly sequelize: Sequelize,
    transaction: Transaction | null = null,
    connection: PgClient | null = null,
  ) {
    this.connection = connection ?? (transaction ? (transaction as unknown as { connection: PgClient }).connection : null);
  }

  /**
   * Runs `work` in one transaction opened by `begin` (e.g. `BEGIN ISOLATION
   * LEVEL REPEATABLE READ READ ONLY`, one round trip) on a pooled connection,
   * committing when it returns and rolling back when it throws. `work` also
   * gets a Sequelize Transaction on that connection, for model calls: Sequelize
   * sends a query of a transaction to its `connection`. (Sequelize's own
   * `transaction()` costs a round trip and ~0.2 ms of CPU more per BEGIN and
   * per COMMIT.)
   */
  static async transaction<T>(sequelize: Sequelize, begin: string, work: (sql: Sql, transaction: Transaction) => Promise<T>): Promise<T> {
    const connections = connectionsOf(sequelize);
    let connection: PgClient;
    try {
      connection = await connections.getConnection();
    } catch (error) {
      throw translateDatabaseError(error);
    }
    const log = loggingOf(sequelize);
    const send = (text: string) => {
      if (typeof log === 'function') log(text);
      return connection.query({ text });
    };
    try {
      await send(begin);
      const transaction = Object.assign(new Transaction(sequelize, {}), { connection });
      const result = await work(new Sql(sequelize, null, connection), transaction);
      await send('COMMIT');
      return result;
    } catch (error) {
      await connection.query({ text: 'ROLLBACK' }).catch(() => undefined);
      throw translateDatabaseError(error);
    } finally {
      await connections.releaseConnection(connection);
    }
  }

  async select<Row extends object>(sql: string, bind?: Bind): Promise<Row[]> {
    return (await this.run(sql, bind)).rows as Row[];
  }

  async one<Row extends object>(sql: string, bind?: Bind): Promise<Row | null> {
    const rows = await this.select<Row>(sql, bind);
    return rows[0] ?? null;
  }

  /** Runs a write and returns the number of rows it touched. */
  async execute(sql: string, bind?: Bind): Promise<number> {
    return (await this.run(sql, bind)).rowCount ?? 0;
  }

  /**
   * In a transaction: caps every following statement of it at the time the
   * call has left (`SET LOCAL statement_timeout`, lock waits included), so
   * the database gives up when the caller does and the transaction rolls
   * back. Nothing is sent when the call has no deadline.
   */
  async limitToDeadline(): Promise<void> {
    if (this.connection === null) throw new Error('invariant: statement_timeout is set per transaction');
    const left = remainingMs();
    if (left === null) return;
    await this.select(`SELECT set_config('statement_timeout', $timeout, true)`, { timeout: `${left}ms` });
  }

  private async run(sql: string, bind: Bind | undefined): Promise<{ rows: object[]; rowCount: number | null }> {
    requireTimeLeft();
    const query = preparedQuery(sql, bind);
    const log = loggingOf(this.sequelize);
    if (typeof log === 'function') log(sql);
    const connections = connectionsOf(this.sequelize);
    try {
      if (this.connection) return await this.connection.query(query);
      const connection = await connections.getConnection();
      try {
        return await connection.query(query);
      } finally {
        await connections.releaseConnection(connection);
      }
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }
}
