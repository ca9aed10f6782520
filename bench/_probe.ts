import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { runMigrations } from '../src/infrastructure/postgres/migrate.js';
import { createSequelize } from '../src/infrastructure/postgres/sequelize.js';
import { SequelizeStatementReader } from '../src/infrastructure/postgres/statement-reader.js';
import { loadDataset } from './dataset.js';
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' }); await admin.connect();
const db = `probe_${randomBytes(3).toString('hex')}`; await admin.query(`CREATE DATABASE ${db}`);
const url = `postgres://postgres@127.0.0.1:5432/${db}`;
const seq = createSequelize(url, { poolMax: 2 }); await runMigrations(seq);
const pool = new pg.Pool({ connectionString: url, max: 2 });
const S = await loadDataset(pool, 'S', 1); const M = await loadDataset(pool, 'M', 1); const L = await loadDataset(pool, 'L', 1);
const reader = new SequelizeStatementReader(seq);
for (const [name, d] of [['S', S], ['M', M], ['L', L]] as const) {
  const times: number[] = [];
  for (let i = 0; i < 8; i++) { const t = performance.now(); await reader.schoolAccount(d.schoolId, () => '2026-03-10' as never, { size: 100, token: null }); times.push(Math.round(performance.now() - t)); }
  console.log(name, times.join(' '));
}
await pool.end(); await seq.close();
await admin.query(`DROP DATABASE ${db} WITH (FORCE)`); await admin.end();
