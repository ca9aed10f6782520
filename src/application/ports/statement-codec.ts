import type { SchoolStatement, StudentStatement } from '../../domain/statement.js';

/** Statements to cache payloads and back (JSON by default, so `redis-cli GET` is readable). */
export interface StatementCodec {
  encodeStudent(statement: StudentStatement): string;
  decodeStudent(payload: string): StudentStatement;
  encodeSchool(statement: SchoolStatement): string;
  decodeSchool(payload: string): SchoolStatement;
}
