import type { QueryInterface } from 'sequelize';

/**
 * The initial schema. Money is BIGINT minor units everywhere; applied amounts
 * live on invoices and payments and CHECK constraints keep 0 ≤ applied ≤ amount,
 * so no code path can over-apply. Financial tables carry the school_id fixed
 * at creation (ready to distribute by school_id), are never hard-deleted, and
 * allocations reference their payment and invoice through (id, student_id,
 * school_id), so an allocation can only join rows of one account.
 *
 * Timestamps are timestamptz(3): the service stores millisecond instants, and
 * keyset page tokens hold them exactly.
 */
const UP = `
CREATE FUNCTION billing_reject_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation', TABLE = TG_TABLE_NAME;
END
$fn$;

CREATE TABLE schools (
  id               uuid        PRIMARY KEY,
  name             text        NOT NULL,
  currency_code    text        NOT NULL CONSTRAINT schools_currency_code_check CHECK (currency_code ~ '^[A-Z]{3}$'),
  timezone         text        NOT NULL CONSTRAINT schools_timezone_check CHECK (timezone ~ '^[A-Za-z]'),
  invoice_sequence bigint      NOT NULL DEFAULT 0 CONSTRAINT schools_invoice_sequence_check CHECK (invoice_sequence >= 0),
  created_at       timestamptz(3) NOT NULL,
  updated_at       timestamptz(3) NOT NULL
);

CREATE TRIGGER schools_currency_code_immutable
  BEFORE UPDATE OF currency_code ON schools
  FOR EACH ROW WHEN (NEW.currency_code IS DISTINCT FROM OLD.currency_code)
  EXECUTE FUNCTION billing_reject_change('schools.currency_code is immutable');

CREATE TABLE students (
  id           uuid        PRIMARY KEY,
  school_id    uuid        NOT NULL CONSTRAINT students_school_id_fkey REFERENCES schools (id),
  first_name   text        NOT NULL,
  last_name    text        NOT NULL,
  email        text        NULL,
  external_ref text        NULL,
  status       text        NOT NULL CONSTRAINT students_status_check CHECK (status IN ('ACTIVE', 'INACTIVE', 'GRADUATED', 'WITHDRAWN')),
  created_at   timestamptz(3) NOT NULL,
  updated_at   timestamptz(3) NOT NULL,
  CONSTRAINT students_school_external_ref_key UNIQUE (school_id, external_ref)
);
-- Lists by school in id order; the school statement's enrolled students.
CREATE INDEX students_school_id_idx ON students (school_id, id);

CREATE TABLE invoices (
  id                  uuid        PRIMARY KEY,
  school_id           uuid        NOT NULL CONSTRAINT invoices_school_id_fkey REFERENCES schools (id),
  student_id          uuid        NOT NULL CONSTRAINT invoices_student_id_fkey REFERENCES students (id),
  sequence            bigint      NOT NULL CONSTRAINT invoices_sequence_check CHECK (sequence > 0),
  number              text        NOT NULL,
  description         text        NOT NULL,
  amount_minor        bigint      NOT NULL CONSTRAINT invoices_amount_check CHECK (amount_minor BETWEEN 1 AND 1000000000000),
  applied_minor       bigint      NOT NULL DEFAULT 0 CONSTRAINT invoices_applied_check CHECK (applied_minor >= 0 AND applied_minor <= amount_minor),
  issue_date          date        NOT NULL,
  due_date            date        NOT NULL,
  state               text        NOT NULL CONSTRAINT invoices_state_check CHECK (state IN ('ISSUED', 'VOID')),
  idempotency_key     text        NULL CONSTRAINT invoices_idempotency_key_check CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
  request_fingerprint text        NULL,
  created_at          timestamptz(3) NOT NULL,
  updated_at          timestamptz(3) NOT NULL,
  voided_at           timestamptz(3) NULL,
  CONSTRAINT invoices_dates_check CHECK (due_date >= issue_date),
  CONSTRAINT invoices_void_applied_check CHECK (state = 'ISSUED' OR applied_minor = 0),
  CONSTRAINT invoices_voided_at_check CHECK ((state = 'VOID') = (voided_at IS NOT NULL)),
  CONSTRAINT invoices_school_sequence_key UNIQUE (school_id, sequence),
  CONSTRAINT invoices_school_number_key UNIQUE (school_id, number),
  CONSTRAINT invoices_student_idempotency_key UNIQUE (student_id, idempotency_key),
  CONSTRAINT invoices_account_key UNIQUE (id, student_id, school_id)
);
-- One account's invoices in invoice order: student statements, balances, lists by student.
CREATE INDEX invoices_account_order_idx ON invoices (student_id, school_id, due_date, issue_date, sequence, id);
-- A school's invoices in invoice order: lists by school and the school statement's aggregation.
CREATE INDEX invoices_school_order_idx ON invoices (school_id, due_date, issue_date, sequence, id);
-- The ledger's open invoices.
CREATE INDEX invoices_open_idx ON invoices (student_id, school_id) WHERE state = 'ISSUED' AND applied_minor < amount_minor;

CREATE TRIGGER invoices_identity_immutable
  BEFORE UPDATE OF id, school_id, student_id, sequence, number, issue_date, created_at ON invoices
  FOR EACH ROW WHEN (
    (NEW.id, NEW.school_id, NEW.student_id, NEW.sequence, NEW.number, NEW.issue_date, NEW.created_at)
      IS DISTINCT FROM (OLD.id, OLD.school_id, OLD.student_id, OLD.sequence, OLD.number, OLD.issue_date, OLD.created_at))
  EXECUTE FUNCTION billing_reject_change('an invoice keeps its id, school, student, number and issue date');
CREATE TRIGGER invoices_never_deleted
  BEFORE DELETE ON invoices FOR EACH ROW
  EXECUTE FUNCTION billing_reject_change('invoices are voided, never deleted');

CREATE TABLE payments (
  id                  uuid        PRIMARY KEY,
  school_id           uuid        NOT NULL CONSTRAINT payments_school_id_fkey REFERENCES schools (id),
  student_id          uuid        NOT NULL CONSTRAINT payments_student_id_fkey REFERENCES students (id),
  amount_minor        bigint      NOT NULL CONSTRAINT payments_amount_check CHECK (amount_minor BETWEEN 1 AND 1000000000000),
  applied_minor       bigint      NOT NULL DEFAULT 0 CONSTRAINT payments_applied_check CHECK (applied_minor >= 0 AND applied_minor <= amount_minor),
  paid_at             timestamptz(3) NOT NULL,
  method              text        NOT NULL CONSTRAINT payments_method_check CHECK (method IN ('CASH', 'CARD', 'BANK_TRANSFER', 'CHECK', 'OTHER')),
  reference           text        NOT NULL DEFAULT '',
  status              text        NOT NULL CONSTRAINT payments_status_check CHECK (status IN ('COMPLETED', 'REVERSED')),
  idempotency_key     text        NULL CONSTRAINT payments_idempotency_key_check CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
  request_fingerprint text        NULL,
  created_at          timestamptz(3) NOT NULL,
  updated_at          timestamptz(3) NOT NULL,
  reversed_at         timestamptz(3) NULL,
  CONSTRAINT payments_reversed_applied_check CHECK (status = 'COMPLETED' OR applied_minor = 0),
  CONSTRAINT payments_reversed_at_check CHECK ((status = 'REVERSED') = (reversed_at IS NOT NULL)),
  CONSTRAINT payments_student_idempotency_key UNIQUE (student_id, idempotency_key),
  CONSTRAINT payments_account_key UNIQUE (id, student_id, school_id)
);
-- One account's payments newest first: student statements, balances, lists by student.
CREATE INDEX payments_account_order_idx ON payments (student_id, school_id, paid_at DESC, created_at DESC, id DESC);
-- A school's payments newest first: lists by school and the school statement's aggregation.
CREATE INDEX payments_school_order_idx ON payments (school_id, paid_at DESC, created_at DESC, id DESC);
-- The ledger's payments holding credit.
CREATE INDEX payments_credit_idx ON payments (student_id, school_id) WHERE status = 'COMPLETED' AND applied_minor < amount_minor;

CREATE TRIGGER payments_identity_immutable
  BEFORE UPDATE OF id, school_id, student_id, amount_minor, paid_at, method, reference, created_at ON payments
  FOR EACH ROW WHEN (
    (NEW.id, NEW.school_id, NEW.student_id, NEW.amount_minor, NEW.paid_at, NEW.method, NEW.reference, NEW.created_at)
      IS DISTINCT FROM (OLD.id, OLD.school_id, OLD.student_id, OLD.amount_minor, OLD.paid_at, OLD.method, OLD.reference, OLD.created_at))
  EXECUTE FUNCTION billing_reject_change('a payment keeps its id, account, amount, date, method and reference');
CREATE TRIGGER payments_never_deleted
  BEFORE DELETE ON payments FOR EACH ROW
  EXECUTE FUNCTION billing_reject_change('payments are reversed, never deleted');

CREATE TABLE allocations (
  id           uuid        PRIMARY KEY,
  payment_id   uuid        NOT NULL,
  invoice_id   uuid        NOT NULL,
  student_id   uuid        NOT NULL,
  school_id    uuid        NOT NULL,
  amount_minor bigint      NOT NULL CONSTRAINT allocations_amount_check CHECK (amount_minor BETWEEN 1 AND 1000000000000),
  created_at   timestamptz(3) NOT NULL,
  released_at  timestamptz(3) NULL,
  CONSTRAINT allocations_payment_fkey FOREIGN KEY (payment_id, student_id, school_id) REFERENCES payments (id, student_id, school_id),
  CONSTRAINT allocations_invoice_fkey FOREIGN KEY (invoice_id, student_id, school_id) REFERENCES invoices (id, student_id, school_id)
);
CREATE INDEX allocations_active_payment_idx ON allocations (payment_id) WHERE released_at IS NULL;
CREATE INDEX allocations_active_invoice_idx ON allocations (invoice_id) WHERE released_at IS NULL;

CREATE TRIGGER allocations_identity_immutable
  BEFORE UPDATE OF id, payment_id, invoice_id, student_id, school_id, amount_minor, created_at ON allocations
  FOR EACH ROW WHEN (
    (NEW.id, NEW.payment_id, NEW.invoice_id, NEW.student_id, NEW.school_id, NEW.amount_minor, NEW.created_at)
      IS DISTINCT FROM (OLD.id, OLD.payment_id, OLD.invoice_id, OLD.student_id, OLD.school_id, OLD.amount_minor, OLD.created_at))
  EXECUTE FUNCTION billing_reject_change('an allocation only changes when it is released');
CREATE TRIGGER allocations_never_deleted
  BEFORE DELETE ON allocations FOR EACH ROW
  EXECUTE FUNCTION billing_reject_change('allocations are released, never deleted');
`;

const DOWN = `
DROP TABLE allocations;
DROP TABLE payments;
DROP TABLE invoices;
DROP TABLE students;
DROP TABLE schools;
DROP FUNCTION billing_reject_change();
`;

export const migration = {
  name: '0001_initial',
  async up({ context }: { context: QueryInterface }): Promise<void> {
    await context.sequelize.transaction(async (transaction) => {
      await context.sequelize.query(UP, { transaction });
    });
  },
  async down({ context }: { context: QueryInterface }): Promise<void> {
    await context.sequelize.transaction(async (transaction) => {
      await context.sequelize.query(DOWN, { transaction });
    });
  },
};
