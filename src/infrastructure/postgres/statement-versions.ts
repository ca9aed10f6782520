import type { Sequelize } from 'sequelize';
import type { ChangedStatements, CurrentVersion, StatementVersionSource } from '../../application/ports/statement-versions.js';
import type { SchoolId, StudentId } from '../../domain/ids.js';
import { runWithoutDeadline } from './call-deadline.js';
import { type Row, bigintOf, textOf } from './rows.js';
import { Sql } from './sql.js';

/** $ids → each student's statement version, the epoch, and the timezone of the student's current school. */
const STUDENT_VERSIONS = `
SELECT st.id, st.data_version, sc.timezone, (SELECT epoch FROM cache_epoch) AS epoch
  FROM students st JOIN schools sc ON sc.id = st.school_id
 WHERE st.id = ANY($ids::uuid[])`;

/** $ids → each school's statement version, the epoch and its timezone. */
const SCHOOL_VERSIONS = `
SELECT id, data_version, timezone, (SELECT epoch FROM cache_epoch) AS epoch
  FROM schools
 WHERE id = ANY($ids::uuid[])`;

/**
 * $students, $schools → bumps the data versions of the statements a
 * transaction changed. Students are already locked by the write; schools are
 * locked here in id order, the last locks a write takes.
 */
const BUMP_VERSIONS = `
WITH bumped_students AS (
  UPDATE students SET data_version = data_version + 1 WHERE id = ANY($students::uuid[]) RETURNING id
), locked_schools AS (
  SELECT id FROM schools WHERE id = ANY($schools::uuid[]) ORDER BY id FOR NO KEY UPDATE
), bumped_schools AS (
  UPDATE schools SET data_version = data_version + 1 WHERE id IN (SELECT id FROM locked_schools) RETURNING id
)
SELECT (SELECT count(*) FROM bumped_students) AS students, (SELECT count(*) FROM bumped_schools) AS schools`;

/** Bumps the versions in the given transaction's SQL session; one round trip. */
export async function bumpStatementVersions(sql: Sql, changed: ChangedStatements): Promise<void> {
  await sql.select(BUMP_VERSIONS, { students: changed.studentIds, schools: changed.schoolIds });
}

/** Bumps the epoch: every cached statement stops matching. Run after restoring a backup. */
export async function bumpCacheEpoch(sequelize: Sequelize): Promise<bigint> {
  const row = await new Sql(sequelize).one<Row>(`UPDATE cache_epoch SET epoch = epoch + 1, bumped_at = now() RETURNING epoch`);
  if (!row) throw new Error('invariant: cache_epoch has its row');
  return bigintOf(row.epoch, 'cache_epoch.epoch');
}

function versionsOf<Id extends string>(rows: Row[]): Map<Id, CurrentVersion> {
  return new Map(
    rows.map((row) => [
      textOf(row.id, 'id') as Id,
      {
        version: bigintOf(row.data_version, 'data_version'),
        epoch: bigintOf(row.epoch, 'cache_epoch.epoch'),
        timezone: textOf(row.timezone, 'schools.timezone'),
      },
    ]),
  );
}

/**
 * Current statement versions by primary key, outside any transaction. A batch
 * serves several calls, so it runs outside any one call's deadline (a short
 * deadline of the call that happened to start the batch must not fail the others).
 */
export class SequelizeStatementVersionSource implements StatementVersionSource {
  private readonly sql: Sql;

  constructor(sequelize: Sequelize) {
    this.sql = new Sql(sequelize);
  }

  async students(ids: readonly StudentId[]): Promise<Map<StudentId, CurrentVersion>> {
    return versionsOf<StudentId>(await runWithoutDeadline(() => this.sql.select<Row>(STUDENT_VERSIONS, { ids })));
  }

  async schools(ids: readonly SchoolId[]): Promise<Map<SchoolId, CurrentVersion>> {
    return versionsOf<SchoolId>(await runWithoutDeadline(() => this.sql.select<Row>(SCHOOL_VERSIONS, { ids })));
  }
}
