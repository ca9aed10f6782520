import type { Latency } from './stats.js';

export type WithCpu = Latency & { cpuMsPerCall?: number };
export interface Throughput {
  throughput: number;
  cpuMsPerCall: number;
  requests: number;
  succeeded: number;
}

export interface BenchResults {
  health: WithCpu;
  pkSelect: Latency;
  redisGet: Latency;
  studentWarm: WithCpu;
  /** The same hit for a school caller (its authorization looks up the student's school); absent in reports before it. */
  studentWarmScoped?: WithCpu;
  studentCold: WithCpu;
  school: Record<string, { warm: WithCpu; cold: WithCpu }>;
  createPayment: Latency;
  createPaymentSql: Latency;
  /** The floor server (floor-server.ts): the same calls with only their storage work; absent in reports before it. */
  floorHit?: WithCpu;
  floorColdSchoolS?: WithCpu;
  floorPayment?: Latency;
  healthThroughput: Throughput;
  hitThroughput: Throughput;
  mix: { throughput: number; reads: Latency; writes: Latency; hitRatio: number };
  memory: { dataset: string; warmed: number; rssBytes: number; redisBytesPerSchoolEntryS: number; redisBytesPerStudentEntry: number };
}

/** The shape run.ts writes to latest.json. */
export interface BenchReport {
  startedAt: string;
  quick: boolean;
  seed: number;
  repeats: number;
  machine: { cpus: number; node: string };
  datasets: Record<string, { students: number; invoices: number; payments: number }>;
  results: BenchResults;
}

export interface Target {
  readonly name: string;
  readonly measured: number;
  readonly limit: number;
  /** "≤" when measured must stay at or under the limit, "≥" when at or over. */
  readonly direction: '≤' | '≥';
  readonly unit: string;
  readonly met: boolean;
}

const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '—' : value < 10 ? value.toFixed(2) : value.toFixed(1));

export function targetsOf(report: BenchReport): Target[] {
  const r = report.results;
  const target = (name: string, measured: number, limit: number, direction: '≤' | '≥', unit: string): Target => ({
    name,
    measured,
    limit,
    direction,
    unit,
    met: direction === '≤' ? measured <= limit : measured >= limit,
  });
  const school = r.school;
  const largest = school.L ?? school.M!;
  const largestName = school.L ? 'L' : 'M (quick run: no L)';
  const found: Target[] = [
    target('1. cache hit p50 at concurrency 1 / (Health p50 + PK SELECT p50)', r.studentWarm.p50 / (r.health.p50 + r.pkSelect.p50), 1.3, '≤', '×'),
    target('2. cache hit throughput at 64 in flight / Health throughput', r.hitThroughput.throughput / r.healthThroughput.throughput, 0.4, '≥', '×'),
    target('3. cold school statement S, p50', school.S!.cold.p50, 10, '≤', 'ms'),
    target(`4a. cold school statement ${largestName} / cold S (p50)`, largest.cold.p50 / school.S!.cold.p50, 50, '≤', '×'),
    target(`4b. warm first page ${largestName} / warm S (p50)`, largest.warm.p50 / school.S!.warm.p50, 3, '≤', '×'),
    target('5. CreatePayment p50 / (its SQL via pg p50 + Health p50)', r.createPayment.p50 / (r.createPaymentSql.p50 + r.health.p50), 1.5, '≤', '×'),
    target(`6. service RSS after warming every statement of ${r.memory.dataset}`, r.memory.rssBytes / 1024 / 1024, 400, '≤', 'MB'),
  ];
  return found;
}

export function renderMarkdown(report: BenchReport): string {
  const r = report.results;
  const row = (name: string, l: WithCpu) => `| ${name} | ${ms(l.p50)} | ${ms(l.p95)} | ${ms(l.p99)} | ${l.cpuMsPerCall === undefined ? '—' : ms(l.cpuMsPerCall)} |`;
  const school = r.school;
  const lines = [
    `Benchmark ${report.startedAt} — ${report.quick ? 'quick run (1 repetition, no L)' : `median of ${report.repeats} repetitions`}, seed ${report.seed}, ${report.machine.cpus} vCPU, Node ${report.machine.node}`,
    '',
    '| scenario (concurrency 1) | p50 ms | p95 ms | p99 ms | server CPU ms/call |',
    '|---|--:|--:|--:|--:|',
    row('baseline: grpc.health.v1.Health/Check', r.health),
    row('baseline: PK SELECT through pg', r.pkSelect),
    row('baseline: Redis GET through ioredis', r.redisGet),
    row('student statement, warm (hit)', r.studentWarm),
    ...(r.studentWarmScoped ? [row('student statement, warm (hit), school caller', r.studentWarmScoped)] : []),
    row('student statement, cold (after a write)', r.studentCold),
    ...Object.entries(school).flatMap(([size, s]) => [
      row(`school statement ${size} (${report.datasets[size]?.students} students), warm`, s.warm),
      row(`school statement ${size}, cold`, s.cold),
    ]),
    row('CreatePayment over 12 open invoices', r.createPayment),
    row('baseline: its SQL sequence through pg', r.createPaymentSql),
    ...(r.floorHit ? [row("floor: bare grpc-js handler making only a hit's PK read", r.floorHit)] : []),
    ...(r.floorColdSchoolS ? [row("floor: bare grpc-js handler running only a cold school S statement's SQL", r.floorColdSchoolS)] : []),
    ...(r.floorPayment ? [row("floor: bare grpc-js handler running only CreatePayment's SQL", r.floorPayment)] : []),
    '',
    '| throughput, 64 in flight (h2load) | requests/s | server CPU ms/call |',
    '|---|--:|--:|',
    `| baseline: Health/Check | ${Math.round(r.healthThroughput.throughput)} | ${ms(r.healthThroughput.cpuMsPerCall)} |`,
    `| student statement, cache hit | ${Math.round(r.hitThroughput.throughput)} | ${ms(r.hitThroughput.cpuMsPerCall)} |`,
    `| 95/5 read/write mix, 1,000 students, 16 in flight (Node client) | ${Math.round(r.mix.throughput)} | — |`,
    '',
    `Mix: reads p50 ${ms(r.mix.reads.p50)} ms, p99 ${ms(r.mix.reads.p99)} ms; writes p50 ${ms(r.mix.writes.p50)} ms; hit ratio ${(r.mix.hitRatio * 100).toFixed(1)} %.`,
    `Memory: service RSS ${(r.memory.rssBytes / 1024 / 1024).toFixed(0)} MB after warming ${r.memory.warmed} statements of ${r.memory.dataset}; Redis bytes per entry: school S ${r.memory.redisBytesPerSchoolEntryS}, student ${r.memory.redisBytesPerStudentEntry}.`,
    '',
    '| target | measured | target | |',
    '|---|--:|--:|---|',
    ...targetsOf(report).map((t) => `| ${t.name} | ${t.measured.toFixed(2)} ${t.unit} | ${t.direction} ${t.limit} ${t.unit} | ${t.met ? 'met' : '**missed**'} |`),
    '',
    ...floorLines(r),
  ];
  return lines.join('\n');
}

/**
 * How much of a target's budget the stack itself takes: the floor against the
 * target's baseline, and the service against the floor (what our code adds).
 */
function floorLines(r: BenchResults): string[] {
  if (!r.floorHit || !r.floorPayment || !r.floorColdSchoolS) return [];
  const x = (value: number) => `${value.toFixed(2)} ×`;
  const hitBase = r.health.p50 + r.pkSelect.p50;
  const paymentBase = r.createPaymentSql.p50 + r.health.p50;
  return [
    '| target | floor p50 | floor, as the target measures it | service / floor |',
    '|---|--:|--:|--:|',
    `| 1. cache hit | ${ms(r.floorHit.p50)} ms | ${x(r.floorHit.p50 / hitBase)} (≤ 1.3 ×) | ${x(r.studentWarm.p50 / r.floorHit.p50)} |`,
    `| 3. cold school statement S | ${ms(r.floorColdSchoolS.p50)} ms | ${ms(r.floorColdSchoolS.p50)} ms (≤ 10 ms) | ${x(r.school.S!.cold.p50 / r.floorColdSchoolS.p50)} |`,
    `| 5. CreatePayment | ${ms(r.floorPayment.p50)} ms | ${x(r.floorPayment.p50 / paymentBase)} (≤ 1.5 ×) | ${x(r.createPayment.p50 / r.floorPayment.p50)} |`,
    '',
  ];
}

/** A small SVG bar chart: p50 latency per scenario, cold beside warm, on a log scale. */
export function renderSvg(report: BenchReport): string {
  const r = report.results;
  const school = r.school;
  const bars: { label: string; value: number; colour: string }[] = [
    { label: 'Health/Check', value: r.health.p50, colour: '#999' },
    { label: 'PK SELECT', value: r.pkSelect.p50, colour: '#999' },
    { label: 'Redis GET', value: r.redisGet.p50, colour: '#999' },
    { label: 'student warm', value: r.studentWarm.p50, colour: '#2a7' },
    ...(r.studentWarmScoped ? [{ label: 'student warm (school)', value: r.studentWarmScoped.p50, colour: '#2a7' }] : []),
    { label: 'student cold', value: r.studentCold.p50, colour: '#c63' },
    ...Object.entries(school).flatMap(([size, s]) => [
      { label: `school ${size} warm`, value: s.warm.p50, colour: '#2a7' },
      { label: `school ${size} cold`, value: s.cold.p50, colour: '#c63' },
    ]),
    { label: 'CreatePayment', value: r.createPayment.p50, colour: '#36c' },
    { label: 'its SQL via pg', value: r.createPaymentSql.p50, colour: '#999' },
    ...(r.floorHit ? [{ label: 'floor: hit', value: r.floorHit.p50, colour: '#999' }] : []),
    ...(r.floorColdSchoolS ? [{ label: 'floor: cold S', value: r.floorColdSchoolS.p50, colour: '#999' }] : []),
    ...(r.floorPayment ? [{ label: 'floor: payment', value: r.floorPayment.p50, colour: '#999' }] : []),
  ];
  const width = 760;
  const rowHeight = 22;
  const left = 150;
  const max = Math.log10(Math.max(...bars.map((b) => b.value)) * 2);
  const min = Math.log10(0.05);
  const scale = (v: number) => ((Math.log10(Math.max(v, 0.05)) - min) / (max - min)) * (width - left - 80);
  const height = bars.length * rowHeight + 50;
  const rows = bars
    .map((b, i) => {
      const y = 30 + i * rowHeight;
      return `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${b.label}</text><rect x="${left}" y="${y}" width="${scale(b.value).toFixed(1)}" height="16" fill="${b.colour}"/><text x="${left + scale(b.value) + 6}" y="${y + 14}">${ms(b.value)} ms</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<text x="10" y="18" font-weight="bold">p50 latency at concurrency 1 (log scale): grey baselines, green cache hits, orange cold reads, blue writes</text>
${rows}
</svg>
`;
}
