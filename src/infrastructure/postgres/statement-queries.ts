/**
 * The statement read models in SQL. Parameters are named (`$name`) and bound;
 * nothing here is built from values. The semantics are those of `summarize()`
 * in src/domain/statement.ts:
 *  - VOID invoices count only in invoice_count and void_count: 0 invoiced,
 *    applied and outstanding;
 *  - outstanding = amount − applied of ISSUED invoices; overdue when
 *    outstanding > 0 and $asOf > due_date; aging buckets by days past due;
 *  - received = amount of COMPLETED payments, credit = amount − applied of
 *    them; REVERSED payments count for nothing.
 * Sums of BIGINT are NUMERIC and leave as text, so they stay exact past 2^53
 * (and past int8).
 */

import { INVOICE_COLUMNS, PAYMENT_COLUMNS, SCHOOL_COLUMNS } from './rows.js';

/**
 * $studentId → the student, the school they are enrolled in now, and the
 * statement's data version and epoch (read in the statement's snapshot).
 */
export const STUDENT_WITH_SCHOOL = `
SELECT st.id, st.school_id, st.first_name, st.last_name, st.email, st.external_ref, st.status, st.created_at, st.updated_at,
       st.data_version, (SELECT epoch FROM cache_epoch) AS epoch,
       sc.name AS school_name, sc.currency_code AS school_currency_code, sc.timezone AS school_timezone,
       sc.created_at AS school_created_at, sc.updated_at AS school_updated_at
  FROM students st
  JOIN schools sc ON sc.id = st.school_id
 WHERE st.id = $studentId`;

/** $studentId, $schoolId → every invoice of that account, in invoice order. */
export const ACCOUNT_INVOICES = `
SELECT ${INVOICE_COLUMNS}
  FROM invoices
 WHERE student_id = $studentId AND school_id = $schoolId
 ORDER BY due_date, issue_date, sequence, id`;

/** $studentId, $schoolId → every payment of that account, newest first. */
export const ACCOUNT_PAYMENTS = `
SELECT ${PAYMENT_COLUMNS}
  FROM payments
 WHERE student_id = $studentId AND school_id = $schoolId
 ORDER BY paid_at DESC, created_at DESC, id DESC`;

/** $schoolId → the school, with the statement's data version and epoch. */
export const SCHOOL = `SELECT ${SCHOOL_COLUMNS}, data_version, (SELECT epoch FROM cache_epoch) AS epoch FROM schools WHERE id = $schoolId`;

/**
 * $schoolId, $asOf → `accounts`: one row per student enrolled at the school
 * now and per former student with invoices or payments there, with that
 * account's figures. Shared by the totals and the rows, so they always agree.
 */
const ACCOUNTS = `
WITH invoice_totals AS (
  SELECT student_id,
         COUNT(*)                                                                          AS invoice_count,
         COUNT(*) FILTER (WHERE state = 'ISSUED' AND applied_minor = 0)                    AS unpaid_count,
         COUNT(*) FILTER (WHERE state = 'ISSUED' AND applied_minor > 0 AND applied_minor < amount_minor) AS partially_paid_count,
         COUNT(*) FILTER (WHERE state = 'ISSUED' AND applied_minor = amount_minor)         AS paid_count,
         COUNT(*) FILTER (WHERE state = 'VOID')                                            AS void_count,
         COUNT(*) FILTER (WHERE state = 'ISSUED' AND applied_minor < amount_minor AND due_date < $asOf::date) AS overdue_count,
         COALESCE(SUM(amount_minor) FILTER (WHERE state = 'ISSUED'), 0)                    AS invoiced_minor,
         COALESCE(SUM(applied_minor) FILTER (WHERE state = 'ISSUED'), 0)                   AS applied_minor,
         COALESCE(SUM(amount_minor - applied_minor) FILTER (WHERE state = 'ISSUED' AND due_date < $asOf::date), 0) AS overdue_minor,
         COALESCE(SUM(amount_minor - applied_minor) FILTER (WHERE state = 'ISSUED' AND due_date >= $asOf::date), 0) AS current_minor,
         COALESCE(SUM(amount_minor - applied_minor) FILTER (WHERE state = 'ISSUED' AND $asOf::date - due_date BETWEEN 1 AND 30), 0) AS days_1_30_minor,
         COALESCE(SUM(amount_minor - applied_minor) FILTER (WHERE state = 'ISSUED' AND $asOf::date - due_date BETWEEN 31 AND 60), 0) AS days_31_60_minor,
         COALESCE(SUM(amount_minor - applied_minor) FILTER (WHERE state = 'ISSUED' AND $asOf::date - due_date BETWEEN 61 AND 90), 0) AS days_61_90_minor,
         COALESCE(SUM(amount_minor - applied_minor) FILTER (WHERE state = 'ISSUED' AND $asOf::date - due_date > 90), 0) AS days_over_90_minor
    FROM invoices
   WHERE school_id = $schoolId
   GROUP BY student_id
), payment_totals AS (
  SELECT student_id,
         COALESCE(SUM(amount_minor) FILTER (WHERE status = 'COMPLETED'), 0)                 AS received_minor,
         COALESCE(SUM(amount_minor - applied_minor) FILTER (WHERE status = 'COMPLETED'), 0) AS credit_minor
    FROM payments
   WHERE school_id = $schoolId
   GROUP BY student_id
), enrolled AS (
  SELECT id AS student_id, first_name, last_name, status FROM students WHERE school_id = $schoolId
), members AS (
  SELECT student_id, true AS enrolled, first_name, last_name, status FROM enrolled
  UNION ALL
  SELECT f.student_id, false, s.first_name, s.last_name, s.status
    FROM (SELECT student_id FROM invoice_totals
          UNION
          SELECT student_id FROM payment_totals
          EXCEPT
          SELECT student_id FROM enrolled) f
   CROSS JOIN LATERAL (SELECT first_name, last_name, status FROM students WHERE id = f.student_id LIMIT 1) s
), accounts AS (
  SELECT m.student_id,
         m.enrolled,
         m.first_name, m.last_name, m.status,
         COALESCE(i.invoice_count, 0)        AS invoice_count,
         COALESCE(i.unpaid_count, 0)         AS unpaid_count,
         COALESCE(i.partially_paid_count, 0) AS partially_paid_count,
         COALESCE(i.paid_count, 0)           AS paid_count,
         COALESCE(i.void_count, 0)           AS void_count,
         COALESCE(i.overdue_count, 0)        AS overdue_count,
         COALESCE(i.invoiced_minor, 0)       AS invoiced_minor,
         COALESCE(i.applied_minor, 0)        AS applied_minor,
         COALESCE(i.invoiced_minor, 0) - COALESCE(i.applied_minor, 0) AS outstanding_minor,
         COALESCE(i.overdue_minor, 0)        AS overdue_minor,
         COALESCE(i.current_minor, 0)        AS current_minor,
         COALESCE(i.days_1_30_minor, 0)      AS days_1_30_minor,
         COALESCE(i.days_31_60_minor, 0)     AS days_31_60_minor,
         COALESCE(i.days_61_90_minor, 0)     AS days_61_90_minor,
         COALESCE(i.days_over_90_minor, 0)   AS days_over_90_minor,
         COALESCE(p.received_minor, 0)       AS received_minor,
         COALESCE(p.credit_minor, 0)         AS credit_minor
    FROM members m
    LEFT JOIN invoice_totals i ON i.student_id = m.student_id
    LEFT JOIN payment_totals p ON p.student_id = m.student_id
)`;

/**
 * $schoolId, $asOf, $limit and the keyset ($afterOutstanding, $afterId, both
 * null for the first page) → one page of student rows (outstanding
 * descending, then student id), the first of them also carrying the school's
 * totals, counts, aging and student counts, and the school row with the
 * statement's data version and epoch (null on the others: the client parses
 * them once, not once per row; the school columns are null when there is no
 * such school); a school with no row on this page gives one row with the
 * totals and null row columns. One statement, so the accounts are aggregated
 * once for both, and the school, its version and its figures share the
 * statement's snapshot without a transaction around it.
 */
export const SCHOOL_FIGURES = `${ACCOUNTS},
school AS (${SCHOOL}),
totals AS (
  SELECT 1::bigint                                    AS row_position,
         COALESCE(SUM(invoiced_minor), 0)::text       AS invoiced_minor,
         COALESCE(SUM(applied_minor), 0)::text        AS applied_minor,
         COALESCE(SUM(received_minor), 0)::text       AS received_minor,
         COALESCE(SUM(credit_minor), 0)::text         AS credit_minor,
         COALESCE(SUM(overdue_minor), 0)::text        AS overdue_minor,
         COALESCE(SUM(invoice_count), 0)::text        AS invoice_count,
         COALESCE(SUM(unpaid_count), 0)::text         AS unpaid_count,
         COALESCE(SUM(partially_paid_count), 0)::text AS partially_paid_count,
         COALESCE(SUM(paid_count), 0)::text           AS paid_count,
         COALESCE(SUM(void_count), 0)::text           AS void_count,
         COALESCE(SUM(overdue_count), 0)::text        AS overdue_count,
         COALESCE(SUM(current_minor), 0)::text        AS current_minor,
         COALESCE(SUM(days_1_30_minor), 0)::text      AS days_1_30_minor,
         COALESCE(SUM(days_31_60_minor), 0)::text     AS days_31_60_minor,
         COALESCE(SUM(days_61_90_minor), 0)::text     AS days_61_90_minor,
         COALESCE(SUM(days_over_90_minor), 0)::text   AS days_over_90_minor,
         COUNT(*) FILTER (WHERE enrolled)::text                         AS student_count,
         COUNT(*) FILTER (WHERE enrolled AND status = 'ACTIVE')::text   AS active_student_count,
         COUNT(*) FILTER (WHERE outstanding_minor > 0)::text            AS students_with_balance_count,
         COUNT(*) FILTER (WHERE overdue_minor > 0)::text                AS students_overdue_count
    FROM accounts
), page AS (
  SELECT a.student_id, a.first_name, a.last_name, a.status,
         a.invoiced_minor, a.applied_minor, a.outstanding_minor, a.credit_minor, a.overdue_minor,
         row_number() OVER (ORDER BY a.outstanding_minor DESC, a.student_id) AS row_position
    FROM accounts a
   WHERE $afterId::uuid IS NULL
      OR a.outstanding_minor < $afterOutstanding::numeric
      OR (a.outstanding_minor = $afterOutstanding::numeric AND a.student_id > $afterId::uuid)
   ORDER BY a.outstanding_minor DESC, a.student_id
   LIMIT $limit
)
SELECT s.*,
       t.*,
       p.student_id         AS row_student_id,
       p.first_name         AS row_first_name,
       p.last_name          AS row_last_name,
       p.status             AS row_status,
       p.invoiced_minor::text    AS row_invoiced_minor,
       p.applied_minor::text     AS row_applied_minor,
       p.outstanding_minor::text AS row_outstanding_minor,
       p.credit_minor::text      AS row_credit_minor,
       p.overdue_minor::text     AS row_overdue_minor
  FROM page p
  FULL JOIN totals t ON t.row_position = p.row_position
  LEFT JOIN school s ON t.row_position IS NOT NULL
 ORDER BY p.outstanding_minor DESC, p.student_id`;
