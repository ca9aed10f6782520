import { ConnectionError } from 'sequelize';
import { DomainError } from '../../domain/errors.js';

/**
 * The one place where database failures become domain errors. Only conditions a
 * caller can act on are translated; anything else (a violated CHECK, a syntax
 * error) is a bug and propagates unchanged.
 */

interface PgErrorFields {
  readonly code?: unknown;
  readonly constraint?: unknown;
  readonly message?: unknown;
}

/** The pg error under Sequelize's wrappers (`parent`/`original`), or the error itself. */
function pgErrorOf(error: unknown): PgErrorFields {
  if (typeof error !== 'object' || error === null) return {};
  const wrapped = error as { parent?: unknown; original?: unknown };
  const inner = wrapped.parent ?? wrapped.original;
  return (typeof inner === 'object' && inner !== null ? inner : error) as PgErrorFields;
}

/** SQLSTATE (or Node socket error code) of a database error, if any. */
export function sqlStateOf(error: unknown): string | null {
  const { code } = pgErrorOf(error);
  return typeof code === 'string' ? code : null;
}

export function constraintOf(error: unknown): string | null {
  const { constraint } = pgErrorOf(error);
  return typeof constraint === 'string' ? constraint : null;
}

/** 40001 serialization_failure and 40P01 deadlock_detected: run the transaction again. */
export function isRetryableTransactionError(error: unknown): boolean {
  const code = sqlStateOf(error);
  return code === '40001' || code === '40P01';
}

export function isForeignKeyViolation(error: unknown): boolean {
  return sqlStateOf(error) === '23503';
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// node-postgres reports a dropped socket without any code.
const DROPPED_CONNECTION = /Connection terminated|connection error and is not queryable|Client was closed and is not queryable/;

function isUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  const code = sqlStateOf(error);
  if (code !== null) {
    if (SOCKET_CODES.has(code)) return true;
    // 08xxx connection exceptions; 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now.
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  }
  const { message } = pgErrorOf(error);
  return typeof message === 'string' && DROPPED_CONNECTION.test(message);
}

type Translation = () => DomainError;

const CONSTRAINTS: Readonly<Record<string, Translation>> = {
  students_school_external_ref_key: () =>
    new DomainError('STUDENT_EXTERNAL_REF_TAKEN', 'another student of the school has this external_ref', 'external_ref'),
  students_school_id_fkey: () => new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'school_id'),
};

/** Returns the domain error a database failure stands for, or the failure itself. */
export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  if (isUnavailable(error)) return new DomainError('DATABASE_UNAVAILABLE', 'database unavailable');
  const code = sqlStateOf(error);
  if (code === '57014') return new DomainError('DEADLINE_EXCEEDED', 'the database did not answer in time');
  if (code === '23505' || code === '23503') {
    const translate = CONSTRAINTS[constraintOf(error) ?? ''];
    if (translate) return translate();
  }
  return error;
}

/** A delete refused because other rows still reference the target becomes `referenced`. */
export function translateDeleteError(error: unknown, referenced: () => DomainError): unknown {
  return isForeignKeyViolation(error) ? referenced() : translateDatabaseError(error);
}
