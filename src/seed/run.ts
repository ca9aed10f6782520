import type { PlannedStudent, SeedPlan } from './plan.js';
import type { SchoolTotals, SeedTarget } from './target.js';

export interface SeedCounts {
  schools: number;
  students: number;
  invoices: number;
  payments: number;
  transfers: number;
  voids: number;
  reversals: number;
}

export interface SeedResult {
  readonly counts: SeedCounts;
  readonly schools: readonly { readonly id: string; readonly name: string; readonly totals: SchoolTotals }[];
  readonly elapsedMs: number;
}

/**
 * Writes a plan through a target: the schools first, then the students,
 * `concurrency` at a time (each student's steps in order, as they happened).
 * `progress` is called after every write.
 */
export async function runSeed(plan: SeedPlan, target: SeedTarget, options: { concurrency: number; progress?: () => void }): Promise<SeedResult> {
  const started = performance.now();
  const tick = options.progress ?? (() => undefined);
  const counts: SeedCounts = { schools: 0, students: 0, invoices: 0, payments: 0, transfers: 0, voids: 0, reversals: 0 };
  const schoolIds: string[] = [];
  for (const school of plan.schools) {
    schoolIds.push(await target.createSchool(school));
    counts.schools += 1;
    tick();
  }

  const seedStudent = async (student: PlannedStudent) => {
    const studentId = await target.createStudent({
      schoolId: schoolIds[student.school]!,
      firstName: student.firstName,
      lastName: student.lastName,
      email: student.email,
      externalRef: student.externalRef,
      status: student.status,
    });
    counts.students += 1;
    tick();
    const invoiceIds: string[] = [];
    const paymentIds: string[] = [];
    for (const step of student.steps) {
      switch (step.kind) {
        case 'invoice':
          invoiceIds.push(await target.createInvoice(studentId, step.invoice));
          counts.invoices += 1;
          break;
        case 'payment':
          paymentIds.push(await target.createPayment(studentId, step.payment));
          counts.payments += 1;
          break;
        case 'transfer':
          await target.transferStudent(studentId, schoolIds[step.toSchool]!);
          counts.transfers += 1;
          break;
        case 'void':
          await target.voidInvoice(invoiceIds[step.invoice]!);
          counts.voids += 1;
          break;
        case 'reverse':
          await target.reversePayment(paymentIds[step.payment]!);
          counts.reversals += 1;
          break;
      }
      tick();
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < plan.students.length) await seedStudent(plan.students[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, plan.students.length)) }, worker));

  const schools = [];
  for (const [index, id] of schoolIds.entries()) schools.push({ id, name: plan.schools[index]!.name, totals: await target.schoolTotals(id) });
  return { counts, schools, elapsedMs: performance.now() - started };
}

/** Minor units as a decimal amount of the currency (2 decimals unless the currency has another number). */
export function formatMinor(amount: bigint, currencyCode: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: currencyCode }).resolvedOptions().maximumFractionDigits ?? 2;
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const unit = 10n ** BigInt(digits);
  const whole = (abs / unit).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = digits > 0 ? `.${(abs % unit).toString().padStart(digits, '0')}` : '';
  return `${negative ? '-' : ''}${whole}${fraction} ${currencyCode}`;
}

/** The end-of-run summary: what was written, then each school's statement totals and the totals per currency. */
export function summary(result: SeedResult, seed: number): string {
  const { counts } = result;
  const lines = [
    '',
    `Seeded in ${(result.elapsedMs / 1000).toFixed(1)} s (seed ${seed}):`,
    `  ${counts.schools} schools, ${counts.students} students, ${counts.invoices} invoices, ${counts.payments} payments,`,
    `  ${counts.transfers} transfers, ${counts.voids} voided invoices, ${counts.reversals} reversed payments`,
    '',
  ];
  const byCurrency = new Map<string, SchoolTotals[]>();
  for (const school of result.schools) {
    const t = school.totals;
    byCurrency.set(t.currencyCode, [...(byCurrency.get(t.currencyCode) ?? []), t]);
    lines.push(
      `  ${school.name} (${school.id})`,
      `    students ${t.studentCount}, with a balance ${t.studentsWithBalanceCount}; invoices ${t.invoiceCount}: ${t.unpaidCount} unpaid, ${t.partiallyPaidCount} partially paid, ${t.paidCount} paid, ${t.voidCount} void, ${t.overdueCount} overdue`,
      `    invoiced ${formatMinor(t.invoicedMinor, t.currencyCode)}, received ${formatMinor(t.receivedMinor, t.currencyCode)}, applied ${formatMinor(t.appliedMinor, t.currencyCode)}`,
      `    outstanding ${formatMinor(t.outstandingMinor, t.currencyCode)} (overdue ${formatMinor(t.overdueMinor, t.currencyCode)}), credit ${formatMinor(t.creditMinor, t.currencyCode)}`,
    );
  }
  lines.push('', '  Totals per currency:');
  for (const [currency, totals] of byCurrency) {
    const sum = (pick: (t: SchoolTotals) => bigint) => formatMinor(totals.reduce((acc, t) => acc + pick(t), 0n), currency);
    lines.push(
      `    ${currency}: invoiced ${sum((t) => t.invoicedMinor)}, received ${sum((t) => t.receivedMinor)}, outstanding ${sum((t) => t.outstandingMinor)}, overdue ${sum((t) => t.overdueMinor)}, credit ${sum((t) => t.creditMinor)}`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
