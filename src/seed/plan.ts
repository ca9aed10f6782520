/**
 * The sample dataset, planned before anything is written: a pure function of
 * the options, the seed and the current instant. The same seed on the same
 * day gives the same schools, names, amounts and dates (ids are new UUIDs).
 * Dates are relative to today, so invoices are always due across past and
 * coming months.
 */

export interface SeedOptions {
  readonly schools: number;
  /** Students in all, spread over the schools. */
  readonly students: number;
  /** Invoices per student. */
  readonly invoices: number;
  /** Payments per student. */
  readonly payments: number;
  readonly seed: number;
}

export type StudentStatusName = 'ACTIVE' | 'INACTIVE' | 'GRADUATED' | 'WITHDRAWN';
export type PaymentMethodName = 'CASH' | 'CARD' | 'BANK_TRANSFER' | 'CHECK' | 'OTHER';
export type PayerProfile = 'prompt' | 'partial' | 'behind' | 'overpayer' | 'transfer';

export interface PlannedInvoice {
  readonly description: string;
  readonly amountMinor: bigint;
  readonly issueDate: string;
  readonly dueDate: string;
}

export interface PlannedPayment {
  readonly amountMinor: bigint;
  readonly paidAt: Date;
  readonly method: PaymentMethodName;
  readonly reference: string;
  readonly idempotencyKey: string;
}

/** What happens to one student, in order. */
export type StudentStep =
  | { readonly kind: 'invoice'; readonly invoice: PlannedInvoice }
  | { readonly kind: 'payment'; readonly payment: PlannedPayment }
  /** Moves the student to another school (of the same currency); the account is settled at that point. */
  | { readonly kind: 'transfer'; readonly toSchool: number }
  /** Voids the invoice created by the n-th invoice step (releasing what was applied to it). */
  | { readonly kind: 'void'; readonly invoice: number }
  /** Reverses the payment created by the n-th payment step (a bounced cheque). */
  | { readonly kind: 'reverse'; readonly payment: number };

export interface PlannedStudent {
  readonly school: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly externalRef: string;
  readonly status: StudentStatusName;
  readonly profile: PayerProfile;
  readonly steps: readonly StudentStep[];
}

export interface PlannedSchool {
  readonly name: string;
  readonly currencyCode: string;
  readonly timezone: string;
}

export interface SeedPlan {
  readonly schools: readonly PlannedSchool[];
  readonly students: readonly PlannedStudent[];
  /** Writes the plan makes (schools, students and every step), for progress. */
  readonly operations: number;
}

/** mulberry32: small, fast, good enough for sample data, and the same everywhere. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SCHOOLS: readonly (PlannedSchool & { readonly tuitionMinor: number })[] = [
  { name: 'Northfield High School', currencyCode: 'USD', timezone: 'America/New_York', tuitionMinor: 45_000 },
  { name: 'Lakeside Academy', currencyCode: 'USD', timezone: 'America/Chicago', tuitionMinor: 52_000 },
  { name: 'Colegio San Martín', currencyCode: 'EUR', timezone: 'Europe/Madrid', tuitionMinor: 38_000 },
  { name: 'St Aidan’s College', currencyCode: 'GBP', timezone: 'Europe/London', tuitionMinor: 41_000 },
  { name: 'Escuela Vista Hermosa', currencyCode: 'MXN', timezone: 'America/Mexico_City', tuitionMinor: 650_000 },
  { name: 'Sakura International School', currencyCode: 'JPY', timezone: 'Asia/Tokyo', tuitionMinor: 62_000 },
  { name: 'Riverside Prep', currencyCode: 'USD', timezone: 'America/Los_Angeles', tuitionMinor: 48_500 },
  { name: 'Gymnasium am See', currencyCode: 'EUR', timezone: 'Europe/Berlin', tuitionMinor: 35_000 },
];

const FIRST_NAMES = [
  'Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Dennis', 'Katherine', 'Edsger', 'Barbara', 'Donald', 'Frances', 'John',
  'Radia', 'Ken', 'Hedy', 'Tim', 'Sophie', 'Guido', 'Lucía', 'Mateo', 'Valentina', 'Santiago', 'Camila', 'Diego',
  'Yuki', 'Haruto', 'Aiko', 'Ren', 'Amara', 'Kwame', 'Zara', 'Omar', 'Leila', 'Ivan', 'Olga', 'Nikolai', 'Priya', 'Arjun',
  'Mei', 'Wei', 'Chloé', 'Louis', 'Emma', 'Noah', 'Mia', 'Liam', 'Freya', 'Oscar', 'Ingrid', 'Lars', 'Aisha', 'Tariq',
  'Fatima', 'Samuel', 'Grace', 'Elena', 'Marco', 'Giulia', 'Luca', 'Sofia',
];
const LAST_NAMES = [
  'Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Ritchie', 'Johnson', 'Dijkstra', 'Liskov', 'Knuth', 'Allen',
  'McCarthy', 'Perlman', 'Thompson', 'Lamarr', 'Berners-Lee', 'Wilson', 'van Rossum', 'García', 'Fernández', 'López',
  'Martínez', 'Rodríguez', 'Hernández', 'Tanaka', 'Suzuki', 'Sato', 'Watanabe', 'Okafor', 'Mensah', 'Khan', 'Haddad',
  'Petrov', 'Ivanova', 'Sharma', 'Patel', 'Chen', 'Wang', 'Dubois', 'Martin', 'Müller', 'Schmidt', 'Johansson', 'Nielsen',
  'Rossi', 'Bianchi', "O'Brien", 'Murphy', 'Nguyen', 'Kim', 'Park', 'Silva', 'Santos', 'Cohen', 'Levi', 'Novak',
];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const FEES = ['Books and materials', 'Activity fee', 'Lab fee', 'Field trip', 'Uniforms', 'Exam fee'];

/** `YYYY-MM-DD` of an instant in a timezone. */
export function dateIn(instant: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string) => parts.find((part) => part.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function ymd(year: number, monthIndex: number, day: number): string {
  const date = new Date(Date.UTC(year, monthIndex, day));
  return date.toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const minDate = (a: string, b: string) => (a < b ? a : b);

/** Noon UTC of a date, never after `now` (payments are never in the future). */
function instantOf(date: string, now: Date, rand: () => number): Date {
  const at = new Date(`${date}T12:00:00Z`).getTime() + Math.floor(rand() * 6 * 3_600_000) - 3 * 3_600_000;
  return new Date(Math.min(at, now.getTime() - 60_000));
}

/** Splits `total` into `parts` positive amounts (each ≥ 1) with some spread; every part is 0 when total < parts. */
function split(total: bigint, parts: number, rand: () => number): bigint[] {
  if (parts === 0) return [];
  if (total < BigInt(parts)) return Array.from({ length: parts }, () => 0n);
  const weights = Array.from({ length: parts }, () => 0.5 + rand());
  const sum = weights.reduce((a, b) => a + b, 0);
  const amounts = weights.map((w) => 1n + ((total - BigInt(parts)) * BigInt(Math.floor((w / sum) * 1_000_000))) / 1_000_000n);
  const given = amounts.reduce((a, b) => a + b, 0n);
  amounts[amounts.length - 1]! += total - given;
  return amounts;
}

function pick<T>(items: readonly T[], rand: () => number): T {
  return items[Math.floor(rand() * items.length)]!;
}

const GUARANTEED: readonly PayerProfile[] = ['overpayer', 'partial', 'behind', 'prompt'];

const METHODS: readonly PaymentMethodName[] = ['BANK_TRANSFER', 'BANK_TRANSFER', 'CARD', 'CARD', 'CARD', 'CASH', 'CHECK', 'OTHER'];

export function planDataset(options: SeedOptions, now: Date): SeedPlan {
  const rand = random(options.seed);
  const schools = Array.from({ length: options.schools }, (_, i) => {
    const template = SCHOOLS[i % SCHOOLS.length]!;
    const round = Math.floor(i / SCHOOLS.length);
    return { ...template, name: round === 0 ? template.name : `${template.name} ${round + 1}` };
  });
  // A transfer needs two schools of one currency.
  const sameCurrency = (school: number) => schools.findIndex((s, j) => j !== school && s.currencyCode === schools[school]!.currencyCode);

  // The earliest "today" of all the schools: an issue date is then never in the future at any of them (transfers cross zones).
  const today = schools.map((s) => dateIn(now, s.timezone)).reduce(minDate);
  const students: PlannedStudent[] = [];
  let transfers = 0;
  for (let n = 0; n < options.students; n += 1) {
    const school = n % schools.length;
    const { tuitionMinor } = schools[school]!;
    const firstName = pick(FIRST_NAMES, rand);
    const lastName = pick(LAST_NAMES, rand);
    // Unique across schools, so that a transferred student keeps it.
    const externalRef = `S-${String(n + 1).padStart(6, '0')}`;
    const email = `${firstName}.${lastName}.${n + 1}`
      .normalize('NFD')
      .replace(/[^A-Za-z0-9.]/g, '')
      .toLowerCase()
      .concat('@students.example.org');
    const statusRoll = rand();
    const status: StudentStatusName = statusRoll < 0.9 ? 'ACTIVE' : statusRoll < 0.95 ? 'INACTIVE' : statusRoll < 0.98 ? 'GRADUATED' : 'WITHDRAWN';

    const target = sameCurrency(school);
    // One student in 40 (and at least the first one that can) moves school after settling an account.
    const transfer = target >= 0 && options.invoices >= 2 && options.payments >= 1 && (transfers === 0 || rand() < 0.025);
    const roll = rand();
    // The first students cover every kind of account, whatever the size; the others are drawn.
    const profile: PayerProfile = transfer
      ? 'transfer'
      : (GUARANTEED[n - transfers] ?? (roll < 0.45 ? 'prompt' : roll < 0.75 ? 'partial' : roll < 0.9 ? 'behind' : 'overpayer'));
    if (transfer) transfers += 1;

    // Monthly invoices due on the 10th, the first one (options.invoices - 4) months back: most are past due, the last few are coming.
    const [year, month] = today.split('-').map(Number) as [number, number];
    const firstMonth = month - 1 - Math.max(0, options.invoices - 4);
    const invoices: PlannedInvoice[] = [];
    for (let i = 0; i < options.invoices; i += 1) {
      const dueDate = ymd(year, firstMonth + i, 10);
      const issueDate = minDate(today, addDays(dueDate, -20));
      const monthName = MONTHS[new Date(`${dueDate}T00:00:00Z`).getUTCMonth()]!;
      const fee = i % 6 === 5;
      const base = fee ? tuitionMinor * (0.1 + rand() * 0.2) : tuitionMinor * (0.95 + rand() * 0.1);
      const amountMinor = BigInt(Math.max(100, Math.round(base / 100) * 100));
      const description = fee ? `${pick(FEES, rand)}, ${monthName} ${dueDate.slice(0, 4)}` : `Tuition, ${monthName} ${dueDate.slice(0, 4)}`;
      invoices.push({ description, amountMinor, issueDate, dueDate });
    }
    const dueByToday = invoices.filter((invoice) => invoice.dueDate <= today).reduce((sum, invoice) => sum + invoice.amountMinor, 0n);
    const everything = invoices.reduce((sum, invoice) => sum + invoice.amountMinor, 0n);
    const scale = (amount: bigint, factor: number) => (amount * BigInt(Math.round(factor * 1000))) / 1000n;

    const steps: StudentStep[] = [];
    const paymentAt = (k: number, count: number, from: string) => {
      const span = Math.max(1, (new Date(`${today}T00:00:00Z`).getTime() - new Date(`${from}T00:00:00Z`).getTime()) / 86_400_000);
      return addDays(from, Math.floor(((k + 0.5 + (rand() - 0.5) * 0.8) / count) * span));
    };
    const payment = (amountMinor: bigint, date: string, k: number): StudentStep => {
      const method = pick(METHODS, rand);
      const reference = method === 'CHECK' ? `CHK-${1000 + Math.floor(rand() * 9000)}` : method === 'CASH' ? '' : `TX-${Math.floor(rand() * 1e9).toString(36).toUpperCase()}`;
      return {
        kind: 'payment',
        payment: { amountMinor, paidAt: instantOf(date, now, rand), method, reference, idempotencyKey: `seed-${options.seed}-${n + 1}-${k + 1}` },
      };
    };

    let paymentCount = 0;
    if (profile === 'transfer') {
      // Settle the first invoice exactly at the first school, move, and go on at the new one.
      steps.push({ kind: 'invoice', invoice: invoices[0]! });
      steps.push(payment(invoices[0]!.amountMinor, minDate(today, invoices[0]!.dueDate), paymentCount++));
      steps.push({ kind: 'transfer', toSchool: target });
      for (const invoice of invoices.slice(1)) steps.push({ kind: 'invoice', invoice });
      const rest = invoices.slice(1).filter((invoice) => invoice.dueDate <= today).reduce((sum, invoice) => sum + invoice.amountMinor, 0n);
      const count = options.payments - 1;
      split(scale(rest, 0.8), count, rand).forEach((amount) => {
        if (amount > 0n) steps.push(payment(amount, paymentAt(paymentCount, options.payments, invoices[0]!.issueDate), paymentCount++));
      });
    } else {
      const total =
        profile === 'prompt'
          ? dueByToday
          : profile === 'partial'
            ? scale(dueByToday, 0.5 + rand() * 0.4)
            : profile === 'behind'
              ? scale(dueByToday, 0.05 + rand() * 0.3)
              : // Overpayers pay everything, the coming months included, and more: the rest is credit.
                everything + scale(BigInt(tuitionMinor), 0.2 + rand() * 0.5);
      // Interleave invoices and payments by date, as they happened.
      const paymentSteps = split(total, options.payments, rand)
        .map((amount, k) => ({ amount, date: paymentAt(k, options.payments, invoices[0]!.issueDate) }))
        .filter((p) => p.amount > 0n)
        .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
      let nextPayment = 0;
      for (const invoice of invoices) {
        while (nextPayment < paymentSteps.length && paymentSteps[nextPayment]!.date < invoice.issueDate) {
          const p = paymentSteps[nextPayment++]!;
          steps.push(payment(p.amount, p.date, paymentCount++));
        }
        steps.push({ kind: 'invoice', invoice });
      }
      while (nextPayment < paymentSteps.length) {
        const p = paymentSteps[nextPayment++]!;
        steps.push(payment(p.amount, p.date, paymentCount++));
      }
      // Now and then an invoice sent in error is voided, and a cheque bounces.
      if (options.invoices >= 2 && rand() < 0.05) steps.push({ kind: 'void', invoice: options.invoices - 1 });
      if (paymentCount > 0 && rand() < 0.03) steps.push({ kind: 'reverse', payment: paymentCount - 1 });
    }
    students.push({ school, firstName, lastName, email, externalRef, status, profile, steps });
  }
  const operations = schools.length + students.reduce((sum, student) => sum + 1 + student.steps.length, 0);
  return { schools, students, operations };
}
