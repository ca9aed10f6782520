import type { Sequelize } from 'sequelize';
import type { ChangedStatements, CurrentVersion, StatementVersionSource } from '../../application/ports/statement-versions.js';
import type { SchoolId, StudentId } from '../../domain/ids.js';
import { runWithoutDeadline } from './call-deadline.js';
import { type Row, bigintOf, textOf } from './rows.js';
import { Sql } from './sql.js';

/**
 * Each student's statement version, the epoch, and the student's current
 * school with its timezone, for the students `match`es. Two forms: $ids, and
 * $id alone, which a batch of one (every read when the service is not busy)
 * runs. PostgreSQL estimates ten rows for `= ANY($ids)` whatever the array
 * holds, judges its generic plan dearer than one made for the actual ids and
 * plans the array form again at every execution (~60 µs of a ~120 µs round
 * trip at 10,000 students); the one-id form it plans once per connection.
 */
const studentVersions = (match: string) => `
SELECT st.id, st.data_version, st.school_id, sc.timezone, (SELECT epoch FROM cache_epoch) AS epoch
  FROM students st JOIN schools sc ON sc.id = st.school_id
 WHERE ${match}`;
const STUDENT_VERSIONS = studentVersions('st.id = ANY($ids::uuid[])');
const STUDENT_VERSION = studentVersions('st.id = $id::uuid');

/** Each school's statement version, the epoch and its timezone: $ids, or $id alone (as above). */
const schoolVersions = (match: string) => `
SELECT id, data_version, id AS school_id, timezone, (SELECT epoch FROM cache_epoch) AS epoch
  FROM schools
 WHERE ${match}`;
const SCHOOL_VERSIONS = schoolVersions('id = ANY($ids::uuid[])');
const SCHOOL_VERSION = schoolVersions('id = $id::uuid');

/**
 * Bumps the data versions of the statements a transaction changed: the
 * students and schools `students` and `schools` match. Students are already
 * locked by the write; schools are locked here in id order, the last locks a
 * write takes. The form for at most one of each (a null id bumps nothing) is
 * what nearly every write runs, planned once per connection (see above).
 */
const bumpVersions = (students: string, schools: string) => `
WITH bumped_students AS (
  UPDATE students SET data_version = data_version + 1 WHERE ${students} RETURNING id
), locked_schools AS (
  SELECT id FROM schools WHERE ${schools} ORDER BY id FOR NO KEY UPDATE
), bumped_schools AS (
  UPDATE schools SET data_version = data_version + 1 WHERE id IN (SELECT id FROM locked_schools) RETURNING id
)
SELECT (SELECT count(*) FROM bumped_students) AS students, (SELECT count(*) FROM bumped_schools) AS schools`;
const BUMP_VERSIONS = bumpVersions('id = ANY($students::uuid[])', 'id = ANY($schools::uuid[])');
const BUMP_ONE_EACH = bumpVersions('id = $student::uuid', 'id = $school::uuid');

/** Bumps the versions in the given transaction's SQL session; one round trip. */
export async function bumpStatementVersions(sql: Sql, changed: ChangedStatements): Promise<void> {
  const { studentIds, schoolIds } = changed;
  if (studentIds.length <= 1 && schoolIds.length <= 1) {
    await sql.select(BUMP_ONE_EACH, { student: studentIds[0] ?? null, school: schoolIds[0] ?? null });
  } else {
    await sql.select(BUMP_VERSIONS, { students: studentIds, schools: schoolIds });
  }
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
        schoolId: textOf(row.school_id, 'school_id') as SchoolId,
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
    return versionsOf<StudentId>(await this.read(ids, STUDENT_VERSION, STUDENT_VERSIONS));
  }

  async schools(ids: readonly SchoolId[]): Promise<Map<SchoolId, CurrentVersion>> {
    return versionsOf<SchoolId>(await this.read(ids, SCHOOL_VERSION, SCHOOL_VERSIONS));
  }

  private read(ids: readonly string[], one: string, many: string): Promise<Row[]> {
    return runWithoutDeadline(() => (ids.length === 1 ? this.sql.select<Row>(one, { id: ids[0] }) : this.sql.select<Row>(many, { ids })));
  }
}
