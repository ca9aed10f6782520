import { Sequelize } from 'sequelize';

export interface SequelizeOptions {
  /** Most connections the pool opens (default 10). */
  readonly poolMax?: number;
  /** How long a query waits for a free connection before failing (default 10 s). */
  readonly acquireTimeoutMs?: number;
  /** How long opening a connection may take (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Server-side cap on any one statement; 0 or unset means none. */
  readonly statementTimeoutMs?: number;
  readonly applicationName?: string;
  /** Called with every SQL text sent (tests count queries with it); off by default. */
  readonly logging?: (sql: string) => void;
}

/**
 * A Sequelize instance for PostgreSQL. Sessions run in UTC so instants never
 * depend on the host's zone; calendar dates are `date` columns and read as text.
 */
export function createSequelize(url: string, options: SequelizeOptions = {}): Sequelize {
  return new Sequelize(url, {
    dialect: 'postgres',
    logging: options.logging ? (sql: string) => options.logging!(sql) : false,
    timezone: '+00:00',
    pool: {
      max: options.poolMax ?? 10,
      min: 0,
      acquire: options.acquireTimeoutMs ?? 10_000,
      idle: 10_000,
    },
    dialectOptions: {
      application_name: options.applicationName ?? 'school-billing',
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      keepAlive: true,
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    },
    define: { timestamps: false, underscored: true, freezeTableName: true },
    hooks: {
      afterConnect: async (connection: unknown) => {
        // Write transactions run READ COMMITTED whatever the server's default, without a SET per
        // transaction. No JIT: the statement aggregates are estimated costly enough to trigger it,
        // and compiling them took ~0.4 s per call against ~30 ms of execution (docs/decisions.md).
        await (connection as { query(sql: string): Promise<unknown> }).query("SET default_transaction_isolation TO 'read committed'; SET jit TO off");
      },
    },
  });
}

export async function closeSequelize(sequelize: Sequelize): Promise<void> {
  await sequelize.close();
}
