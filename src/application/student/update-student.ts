import { DomainError } from '../../domain/errors.js';
import type { SchoolId, StudentId } from '../../domain/ids.js';
import { type Student, type StudentChanges, fullName, requireStudentChanges, reviseStudent } from '../../domain/student.js';
import type { Clock } from '../ports/clock.js';
import type { TransactionScope, UnitOfWork } from '../ports/unit-of-work.js';
import { lockStudent } from '../shared/ledger-session.js';

export interface UpdateStudentCommand extends StudentChanges {
  readonly id: StudentId;
  /** Another school than the current one transfers the student. */
  readonly schoolId?: SchoolId;
  /** A scoped caller's schools (null: every school), checked again under the student's row lock. */
  readonly visibleSchools?: ReadonlySet<SchoolId> | null;
}

export class UpdateStudent {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async execute({ id, schoolId, visibleSchools = null, ...changes }: UpdateStudentCommand): Promise<Student> {
    // Input errors come before the lookup: a bad name is INVALID_ARGUMENT even for an unknown id.
    requireStudentChanges(changes);
    return this.uow.run(async (repositories) => {
      const student = await lockStudent(repositories, id, 'id', visibleSchools);
      const revised = reviseStudent(student, changes, this.clock.now());
      const moved = schoolId === undefined || schoolId === student.schoolId ? revised : await transfer(repositories, revised, schoolId);
      await repositories.students.update(moved);
      repositories.statements.students([id]);
      // School statements show the student's name and status, on every school that holds their account.
      if (moved.schoolId !== student.schoolId) repositories.statements.schools([student.schoolId, moved.schoolId]);
      if (fullName(moved) !== fullName(student) || moved.status !== student.status) {
        repositories.statements.schools([moved.schoolId, ...(await repositories.students.accountSchools(id))]);
      }
      return moved;
    });
  }
}

/**
 * A transfer keeps the history where it was issued, so it is only allowed to
 * a school of the same currency and on a settled account (nothing owed, no
 * credit left behind).
 */
async function transfer({ schools, students }: TransactionScope, student: Student, to: SchoolId): Promise<Student> {
  const [current, target] = await Promise.all([schools.findById(student.schoolId), schools.findById(to)]);
  if (!target) throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'school_id');
  if (!current) throw new Error(`invariant: school ${student.schoolId} of student ${student.id} not found`);
  if (target.currencyCode !== current.currencyCode) {
    throw new DomainError(
      'TRANSFER_CURRENCY_MISMATCH',
      `a student can only move to a school billing in ${current.currencyCode}`,
      'school_id',
    );
  }
  const balance = await students.balanceAt(student.id, student.schoolId);
  if (balance.outstandingMinor !== 0n || balance.creditMinor !== 0n) {
    throw new DomainError(
      'TRANSFER_ACCOUNT_NOT_SETTLED',
      `the account at the current school is not settled (outstanding ${balance.outstandingMinor}, credit ${balance.creditMinor})`,
      'school_id',
    );
  }
  return { ...student, schoolId: to };
}
