import type { SchoolId, StudentId } from './ids.js';
import { requireEmail, requireText } from './text.js';

export const STUDENT_STATUSES = ['ACTIVE', 'INACTIVE', 'GRADUATED', 'WITHDRAWN'] as const;
export type StudentStatus = (typeof STUDENT_STATUSES)[number];

export interface Student {
  readonly id: StudentId;
  /** The school the student is enrolled in now. */
  readonly schoolId: SchoolId;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string | null;
  /** The school's own reference, unique per school. */
  readonly externalRef: string | null;
  readonly status: StudentStatus;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const NAME = { maxLength: 100 } as const;
const EXTERNAL_REF = { maxLength: 100, optional: true } as const;

function optional(value: string): string | null {
  return value === '' ? null : value;
}

export function enrollStudent(input: {
  id: StudentId;
  schoolId: SchoolId;
  firstName: string;
  lastName: string;
  email: string;
  externalRef: string;
  status: StudentStatus;
  now: Date;
}): Student {
  return {
    id: input.id,
    schoolId: input.schoolId,
    firstName: requireText(input.firstName, 'first_name', NAME),
    lastName: requireText(input.lastName, 'last_name', NAME),
    email: optional(requireEmail(input.email, 'email')),
    externalRef: optional(requireText(input.externalRef, 'external_ref', EXTERNAL_REF)),
    status: input.status,
    createdAt: input.now,
    updatedAt: input.now,
  };
}

export interface StudentChanges {
  readonly firstName?: string;
  readonly lastName?: string;
  /** Empty clears. */
  readonly email?: string;
  /** Empty clears. */
  readonly externalRef?: string;
  readonly status?: StudentStatus;
}

/** Validates the fields a change sets, whatever student it is for (so before any lookup). */
export function requireStudentChanges(changes: StudentChanges): StudentChanges {
  if (changes.firstName !== undefined) requireText(changes.firstName, 'first_name', NAME);
  if (changes.lastName !== undefined) requireText(changes.lastName, 'last_name', NAME);
  if (changes.email !== undefined) requireEmail(changes.email, 'email');
  if (changes.externalRef !== undefined) requireText(changes.externalRef, 'external_ref', EXTERNAL_REF);
  return changes;
}

/** Profile changes; a change of school is a transfer and goes through its own rule. */
export function reviseStudent(student: Student, changes: StudentChanges, now: Date): Student {
  requireStudentChanges(changes);
  return {
    ...student,
    firstName: changes.firstName ?? student.firstName,
    lastName: changes.lastName ?? student.lastName,
    email: changes.email === undefined ? student.email : optional(changes.email),
    externalRef: changes.externalRef === undefined ? student.externalRef : optional(changes.externalRef),
    status: changes.status ?? student.status,
    updatedAt: now,
  };
}

export function fullName(student: Pick<Student, 'firstName' | 'lastName'>): string {
  return `${student.firstName} ${student.lastName}`;
}
