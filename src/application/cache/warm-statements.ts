import type { SchoolId } from '../../domain/ids.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PageRequest } from '../../domain/page.js';
import type { StudentRepository } from '../ports/student-repository.js';
import type { GetSchoolStatement } from '../statement/get-school-statement.js';
import type { GetStudentStatement } from '../statement/get-student-statement.js';

export interface WarmResult {
  /** Statements that were computed and filled. */
  readonly computed: number;
  /** Statements already cached at their current version. */
  readonly alreadyCached: number;
}

// Enough parallel reads to keep the pool busy without starving live traffic.
const CONCURRENCY = 4;

/** Fills a school's statement (first page) and the statements of every student enrolled there. */
export class WarmStatements {
  constructor(
    private readonly students: StudentRepository,
    private readonly schoolStatement: GetSchoolStatement,
    private readonly studentStatement: GetStudentStatement,
  ) {}

  async execute(schoolId: SchoolId): Promise<WarmResult> {
    let computed = 0;
    let alreadyCached = 0;
    const tally = (status: string) => (status === 'hit' ? (alreadyCached += 1) : (computed += 1));
    const first: PageRequest = { size: DEFAULT_PAGE_SIZE, token: null };
    // Unknown school: NOT_FOUND from here, before any student is read.
    tally((await this.schoolStatement.execute(schoolId, first)).status);
    let page: PageRequest = { size: MAX_PAGE_SIZE, token: null };
    for (;;) {
      const { items, nextToken } = await this.students.list({ schoolId, status: null }, page);
      for (let i = 0; i < items.length; i += CONCURRENCY) {
        const batch = items.slice(i, i + CONCURRENCY);
        for (const { status } of await Promise.all(batch.map((student) => this.studentStatement.execute(student.id)))) tally(status);
      }
      if (nextToken === null) return { computed, alreadyCached };
      page = { size: MAX_PAGE_SIZE, token: nextToken };
    }
  }
}
