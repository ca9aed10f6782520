import type { Sequelize, Transaction } from 'sequelize';
import type { SchoolRepository } from '../../application/ports/school-repository.js';
import { DomainError } from '../../domain/errors.js';
import type { SchoolId } from '../../domain/ids.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { School } from '../../domain/school.js';
import { translateDatabaseError, translateDeleteError } from './errors.js';
import { defineModels } from './models/index.js';
import { type PageKey, decodePageToken, fetchLimit, keysetPage } from './page-tokens.js';
import { type Row, SCHOOL_COLUMNS, bigintOf, schoolOf } from './rows.js';
import { Sql } from './sql.js';

const SCHOOLS_PAGE: PageKey = { list: 'schools', parts: ['uuid'] };

export class SequelizeSchoolRepository implements SchoolRepository {
  private readonly sql: Sql;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly transaction: Transaction | null = null,
  ) {
    this.sql = new Sql(sequelize, transaction);
  }

  private get options() {
    return this.transaction ? { transaction: this.transaction } : {};
  }

  async insert(school: School): Promise<void> {
    try {
      await defineModels(this.sequelize).School.create(
        {
          id: school.id,
          name: school.name,
          currencyCode: school.currencyCode,
          timezone: school.timezone,
          createdAt: school.createdAt,
          updatedAt: school.updatedAt,
        },
        { ...this.options, returning: false },
      );
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  async findById(id: SchoolId): Promise<School | null> {
    const row = await this.sql.one<Row>(`SELECT ${SCHOOL_COLUMNS} FROM schools WHERE id = $id`, { id });
    return row && schoolOf(row);
  }

  async findByIds(ids: readonly SchoolId[]): Promise<School[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql.select<Row>(`SELECT ${SCHOOL_COLUMNS} FROM schools WHERE id = ANY($ids::uuid[]) ORDER BY id`, {
      ids: [...ids],
    });
    return rows.map(schoolOf);
  }

  async lock(id: SchoolId): Promise<School | null> {
    const row = await this.sql.one<Row>(`SELECT ${SCHOOL_COLUMNS} FROM schools WHERE id = $id FOR UPDATE`, { id });
    return row && schoolOf(row);
  }

  async list(page: PageRequest, only: ReadonlySet<SchoolId> | null = null): Promise<Page<School>> {
    const [after] = page.token === null ? [null] : decodePageToken(SCHOOLS_PAGE, page.token);
    const rows = await this.sql.select<Row>(
      `SELECT ${SCHOOL_COLUMNS} FROM schools
        WHERE ($after::uuid IS NULL OR id > $after::uuid)
          AND ($only::uuid[] IS NULL OR id = ANY($only::uuid[]))
        ORDER BY id
        LIMIT $limit`,
      { after, only: only === null ? null : [...only], limit: fetchLimit(page) },
    );
    return keysetPage(rows.map(schoolOf), page, SCHOOLS_PAGE, (school) => [school.id]);
  }

  async update(school: School): Promise<void> {
    // currency_code is written too: a trigger refuses any change to it.
    const count = await this.sql.execute(
      `UPDATE schools SET name = $name, currency_code = $currencyCode, timezone = $timezone, updated_at = $updatedAt
        WHERE id = $id`,
      { id: school.id, name: school.name, currencyCode: school.currencyCode, timezone: school.timezone, updatedAt: school.updatedAt.toISOString() },
    );
    if (count !== 1) throw new Error(`invariant: school ${school.id} to update does not exist`);
  }

  async delete(id: SchoolId): Promise<void> {
    try {
      await this.sequelize.query('DELETE FROM schools WHERE id = $id', { bind: { id }, ...this.options });
    } catch (error) {
      throw translateDeleteError(error, () => new DomainError('SCHOOL_HAS_DEPENDENTS', 'the school has students, invoices or payments', 'id'));
    }
  }

  async hasDependents(id: SchoolId): Promise<boolean> {
    const row = await this.sql.one<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM students WHERE school_id = $id)
           OR EXISTS (SELECT 1 FROM invoices WHERE school_id = $id)
           OR EXISTS (SELECT 1 FROM payments WHERE school_id = $id) AS found`,
      { id },
    );
    return row?.found === true;
  }

  async nextInvoiceSequence(id: SchoolId): Promise<bigint> {
    const row = await this.sql.one<Row>(
      'UPDATE schools SET invoice_sequence = invoice_sequence + 1 WHERE id = $id RETURNING invoice_sequence',
      { id },
    );
    if (!row) throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'school_id');
    return bigintOf(row.invoice_sequence, 'schools.invoice_sequence');
  }
}
