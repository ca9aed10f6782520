import type { Sequelize, Transaction } from 'sequelize';
import type { AccountBalance, StudentFilter, StudentRepository } from '../../application/ports/student-repository.js';
import { DomainError } from '../../domain/errors.js';
import type { SchoolId, StudentId } from '../../domain/ids.js';
import type { Page, PageRequest } from '../../domain/page.js';
import type { Student } from '../../domain/student.js';
import { translateDatabaseError, translateDeleteError } from './errors.js';
import { defineModels } from './models/index.js';
import { type PageKey, decodePageToken, fetchLimit, keysetPage } from './page-tokens.js';
import { type Row, STUDENT_COLUMNS, bigintOf, studentOf } from './rows.js';
import { Sql } from './sql.js';

const STUDENTS_PAGE: PageKey = { list: 'students', parts: ['uuid'] };

function modelValues(student: Student) {
  return {
    schoolId: student.schoolId,
    firstName: student.firstName,
    lastName: student.lastName,
    email: student.email,
    externalRef: student.externalRef,
    status: student.status,
    updatedAt: student.updatedAt,
  };
}

export class SequelizeStudentRepository implements StudentRepository {
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

  async insert(student: Student): Promise<void> {
    try {
      await defineModels(this.sequelize).Student.create(
        { id: student.id, ...modelValues(student), createdAt: student.createdAt },
        { ...this.options, returning: false },
      );
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  async findById(id: StudentId): Promise<Student | null> {
    const row = await this.sql.one<Row>(`SELECT ${STUDENT_COLUMNS} FROM students WHERE id = $id`, { id });
    return row && studentOf(row);
  }

  async lock(id: StudentId): Promise<Student | null> {
    const row = await this.sql.one<Row>(`SELECT ${STUDENT_COLUMNS} FROM students WHERE id = $id FOR UPDATE`, { id });
    return row && studentOf(row);
  }

  async list(filter: StudentFilter, page: PageRequest): Promise<Page<Student>> {
    const [after] = page.token === null ? [null] : decodePageToken(STUDENTS_PAGE, page.token);
    const rows = await this.sql.select<Row>(
      `SELECT ${STUDENT_COLUMNS} FROM students
        WHERE school_id = $schoolId
          AND ($status::text IS NULL OR status = $status::text)
          AND ($after::uuid IS NULL OR id > $after::uuid)
        ORDER BY id
        LIMIT $limit`,
      { schoolId: filter.schoolId, status: filter.status, after, limit: fetchLimit(page) },
    );
    return keysetPage(rows.map(studentOf), page, STUDENTS_PAGE, (student) => [student.id]);
  }

  async update(student: Student): Promise<void> {
    let count: number;
    try {
      [count] = await defineModels(this.sequelize).Student.update(modelValues(student), { where: { id: student.id }, ...this.options });
    } catch (error) {
      throw translateDatabaseError(error);
    }
    if (count !== 1) throw new Error(`invariant: student ${student.id} to update does not exist`);
  }

  async delete(id: StudentId): Promise<void> {
    try {
      await this.sequelize.query('DELETE FROM students WHERE id = $id', { bind: { id }, ...this.options });
    } catch (error) {
      throw translateDeleteError(
        error,
        () => new DomainError('STUDENT_HAS_FINANCIAL_RECORDS', 'the student has invoices or payments; change the status instead', 'id'),
      );
    }
  }

  async hasFinancialRecords(id: StudentId): Promise<boolean> {
    const row = await this.sql.one<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM invoices WHERE student_id = $id)
           OR EXISTS (SELECT 1 FROM payments WHERE student_id = $id) AS found`,
      { id },
    );
    return row?.found === true;
  }

  async accountSchools(id: StudentId): Promise<SchoolId[]> {
    const rows = await this.sql.select<{ school_id: string }>(
      `SELECT school_id FROM invoices WHERE student_id = $id
       UNION
       SELECT school_id FROM payments WHERE student_id = $id`,
      { id },
    );
    return rows.map((row) => row.school_id as SchoolId);
  }

  async balanceAt(id: StudentId, schoolId: SchoolId): Promise<AccountBalance> {
    const row = await this.sql.one<Row>(
      `SELECT
         (SELECT COALESCE(SUM(amount_minor - applied_minor), 0)::text FROM invoices
           WHERE student_id = $id AND school_id = $schoolId AND state = 'ISSUED') AS outstanding_minor,
         (SELECT COALESCE(SUM(amount_minor - applied_minor), 0)::text FROM payments
           WHERE student_id = $id AND school_id = $schoolId AND status = 'COMPLETED') AS credit_minor`,
      { id, schoolId },
    );
    return {
      outstandingMinor: bigintOf(row?.outstanding_minor, 'outstanding_minor'),
      creditMinor: bigintOf(row?.credit_minor, 'credit_minor'),
    };
  }
}
