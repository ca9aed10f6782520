/**
 * Realistic statements for the cache tests and scripts/measure-cache-encoding.ts:
 * a student with a school year of monthly invoices and payments, and schools
 * of any number of rows. Deterministic (seeded), so sizes are comparable
 * between runs.
 */
import type { CalendarDate } from '../../../src/domain/calendar-date.js';
import { addDays } from '../../../src/domain/calendar-date.js';
import type { InvoiceId, PaymentId, SchoolId, StudentId } from '../../../src/domain/ids.js';
import type { InvoiceStatus } from '../../../src/domain/invoice.js';
import { PAYMENT_METHODS } from '../../../src/domain/payment.js';
import type { School } from '../../../src/domain/school.js';
import {
  type InvoiceLine,
  type PaymentLine,
  type SchoolStatement,
  type SchoolStatementRow,
  type StudentStatement,
  agingBucketOf,
  summarize,
} from '../../../src/domain/statement.js';
import { STUDENT_STATUSES, type Student } from '../../../src/domain/student.js';

/** Mulberry32: small, seeded, good enough for sample data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const FIRST = ['Amélie', 'Noah', 'Léa', 'Lucas', 'Chloé', 'Hugo', 'Inès', 'Jules', 'Zoé', 'Adam', 'Maëlys', 'Louis', 'Sofia', 'Gabriel', 'Jade'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'García'];
const MONTHS = ['September', 'October', 'November', 'December', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August'];

export function sampleSchool(seed = 1): School {
  const random = seededRandom(seed);
  return {
    id: uuidFrom(random) as SchoolId,
    name: 'Lycée International Saint-Exupéry',
    currencyCode: 'EUR',
    timezone: 'Europe/Paris',
    createdAt: new Date('2024-06-01T08:30:00.123Z'),
    updatedAt: new Date('2025-08-20T14:02:11.456Z'),
  };
}

/** A school year: 12 monthly tuition invoices, ~10 payments, some overdue, one void. */
export function sampleStudentStatement(seed = 7, asOfDate = '2026-06-15' as CalendarDate): StudentStatement {
  const random = seededRandom(seed);
  const school = sampleSchool(seed);
  const student: Student = {
    id: uuidFrom(random) as StudentId,
    schoolId: school.id,
    firstName: 'Amélie',
    lastName: 'Dubois-Fontaine',
    email: 'amelie.dubois@example.org',
    externalRef: 'STU-2025-00417',
    status: 'ACTIVE',
    createdAt: new Date('2025-08-25T09:15:42.001Z'),
    updatedAt: new Date('2026-01-03T17:45:00.999Z'),
  };
  const invoices: InvoiceLine[] = [];
  let paidSoFar = 0n;
  const amount = 85_000n;
  const paidTotal = 85_000n * 8n + 42_500n;
  for (let month = 0; month < 12; month += 1) {
    const issueDate = addDays('2025-09-01' as CalendarDate, month * 30);
    const dueDate = addDays(issueDate, 30);
    const isVoid = month === 5;
    const applied = isVoid ? 0n : paidTotal - paidSoFar >= amount ? amount : paidTotal - paidSoFar > 0n ? paidTotal - paidSoFar : 0n;
    if (!isVoid) paidSoFar += applied;
    const outstanding = isVoid ? 0n : amount - applied;
    const daysOverdue = Math.max(0, Math.round((Date.parse(asOfDate) - Date.parse(dueDate)) / 86_400_000));
    const overdue = !isVoid && outstanding > 0n && daysOverdue > 0;
    const status: InvoiceStatus = isVoid ? 'VOID' : applied === 0n ? 'UNPAID' : applied === amount ? 'PAID' : 'PARTIALLY_PAID';
    invoices.push({
      invoiceId: uuidFrom(random) as InvoiceId,
      number: `INV-${String(1_200 + month * 37).padStart(6, '0')}`,
      description: `Tuition and meals — ${MONTHS[month]} ${month < 4 ? 2025 : 2026}`,
      issueDate,
      dueDate,
      amountMinor: amount,
      appliedMinor: applied,
      outstandingMinor: outstanding,
      status,
      overdue,
      daysOverdue: overdue ? daysOverdue : 0,
    });
  }
  const payments: PaymentLine[] = [];
  for (let i = 9; i >= 0; i -= 1) {
    const amountMinor = i === 9 ? 42_500n : i === 3 ? 85_000n : 85_000n;
    payments.push({
      paymentId: uuidFrom(random) as PaymentId,
      paidAt: new Date(Date.UTC(2025, 8 + i, 5, 10, 12, 30, 250 + i)),
      method: PAYMENT_METHODS[i % PAYMENT_METHODS.length] ?? 'CARD',
      amountMinor,
      appliedMinor: i === 4 ? 0n : amountMinor,
      unappliedMinor: 0n,
      status: i === 4 ? 'REVERSED' : 'COMPLETED',
    });
  }
  return {
    student,
    currencyCode: school.currencyCode,
    asOfDate,
    generatedAt: new Date('2026-06-15T07:31:05.678Z'),
    totals: summarize(invoices, payments),
    invoices,
    payments,
  };
}

/** A school statement with `rows` rows (one page holding them all), totals that sum the rows. */
export function sampleSchoolStatement(rows: number, seed = 11, asOfDate = '2026-06-15' as CalendarDate): SchoolStatement {
  const random = seededRandom(seed);
  const school = sampleSchool(seed);
  const lines: SchoolStatementRow[] = [];
  const aging = { currentMinor: 0n, days1To30Minor: 0n, days31To60Minor: 0n, days61To90Minor: 0n, daysOver90Minor: 0n };
  for (let i = 0; i < rows; i += 1) {
    const invoiced = BigInt(Math.floor(random() * 12) + 1) * 85_000n;
    const applied = invoiced - BigInt(Math.floor(random() * 4)) * 42_500n;
    const outstanding = invoiced > applied ? invoiced - applied : 0n;
    const credit = outstanding === 0n && random() < 0.1 ? BigInt(Math.floor(random() * 50_000)) : 0n;
    const overdueMinor = outstanding > 0n && random() < 0.5 ? outstanding : 0n;
    aging[agingBucketOf(overdueMinor > 0n ? Math.floor(random() * 120) + 1 : 0)] += outstanding;
    lines.push({
      studentId: uuidFrom(random) as StudentId,
      name: `${FIRST[Math.floor(random() * FIRST.length)]} ${LAST[Math.floor(random() * LAST.length)]}`,
      status: STUDENT_STATUSES[random() < 0.9 ? 0 : Math.floor(random() * STUDENT_STATUSES.length)] ?? 'ACTIVE',
      invoicedMinor: invoiced,
      appliedMinor: applied,
      outstandingMinor: outstanding,
      creditMinor: credit,
      overdueMinor,
    });
  }
  lines.sort((a, b) => (a.outstandingMinor === b.outstandingMinor ? (a.studentId < b.studentId ? -1 : 1) : a.outstandingMinor > b.outstandingMinor ? -1 : 1));
  const sum = (pick: (row: SchoolStatementRow) => bigint) => lines.reduce((total, row) => total + pick(row), 0n);
  const invoiced = sum((r) => r.invoicedMinor);
  const applied = sum((r) => r.appliedMinor);
  const outstanding = sum((r) => r.outstandingMinor);
  const credit = sum((r) => r.creditMinor);
  return {
    school,
    currencyCode: school.currencyCode,
    asOfDate,
    generatedAt: new Date('2026-06-15T07:31:05.678Z'),
    totals: {
      invoicedMinor: invoiced,
      appliedMinor: applied,
      outstandingMinor: outstanding,
      receivedMinor: applied + credit,
      creditMinor: credit,
      netBalanceMinor: outstanding - credit,
      overdueMinor: sum((r) => r.overdueMinor),
      invoiceCount: invoiced / 85_000n,
      unpaidCount: BigInt(rows),
      partiallyPaidCount: BigInt(Math.floor(rows / 3)),
      paidCount: BigInt(rows * 7),
      voidCount: BigInt(Math.floor(rows / 20)),
      overdueCount: BigInt(lines.filter((r) => r.overdueMinor > 0n).length),
      aging,
    },
    studentCount: BigInt(rows),
    activeStudentCount: BigInt(lines.filter((r) => r.status === 'ACTIVE').length),
    studentsWithBalanceCount: BigInt(lines.filter((r) => r.outstandingMinor > 0n).length),
    studentsOverdueCount: BigInt(lines.filter((r) => r.overdueMinor > 0n).length),
    rows: lines,
    nextPageToken: null,
  };
}
