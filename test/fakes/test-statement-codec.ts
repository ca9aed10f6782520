import type { StatementCodec } from '../../src/application/ports/statement-codec.js';
import type { SchoolStatement, StudentStatement } from '../../src/domain/statement.js';

// Tagged bigints and dates survive JSON; enough for tests, where the real codec is not the subject.
const encode = (value: unknown) =>
  JSON.stringify(value, function (key, v: unknown) {
    const raw: unknown = (this as Record<string, unknown>)[key];
    if (typeof v === 'bigint') return { $bigint: v.toString() };
    if (raw instanceof Date) return { $date: raw.toISOString() };
    return v;
  });

const decode = <T>(payload: string): T =>
  JSON.parse(payload, (_key, v: unknown) => {
    if (v && typeof v === 'object' && '$bigint' in v) return BigInt((v as { $bigint: string }).$bigint);
    if (v && typeof v === 'object' && '$date' in v) return new Date((v as { $date: string }).$date);
    return v;
  }) as T;

export const testStatementCodec: StatementCodec = {
  encodeStudent: (statement: StudentStatement) => encode(statement),
  decodeStudent: (payload) => decode<StudentStatement>(payload),
  encodeSchool: (statement: SchoolStatement) => encode(statement),
  decodeSchool: (payload) => decode<SchoolStatement>(payload),
};
