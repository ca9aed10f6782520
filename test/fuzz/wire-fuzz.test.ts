/**
 * Bad input, seeded: property-based fuzzing of every request message of
 * every billing.v1 RPC, sent as raw bytes through the wire (grpc-js client
 * with identity serializers), and of malformed gRPC framing at the HTTP/2
 * level (node:http2). Each case asserts the exact code (and, for our own
 * answers, the reason and field) that docs/errors.md § "Malformed requests"
 * publishes — test/fuzz/oracle.ts computes it from the request — never
 * UNKNOWN, never a stack trace, no stored row changed, and the server still
 * answers health afterwards.
 *
 * FUZZ_SEED=<n> replays a run; FUZZ_RUNS (default 2,000) sets the cases on
 * the in-process server over fakes, FUZZ_PG_RUNS (default FUZZ_RUNS / 4)
 * those on the service as production wires it on PostgreSQL;
 * `npm run test:long` runs 50,000 + 12,500 (and 5,000 framings).
 */
import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { adminToken } from '../support/auth.js';
import { type GrpcHarness, startPostgresHarness } from '../support/grpc-harness.js';
import { anyCase, type FuzzCase } from './generators.js';
import { FRAME_CASES, expectedForFrame, frameBody, sendFrame } from './http2-frames.js';
import { METHODS, type Verdict, type World, expectedFor, methodsWithoutOracle } from './oracle.js';
import { type FuzzTarget, RawClient, clientsFor, makeWorld, serving, startFakeTarget } from './support.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(1, 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
const PG_RUNS = Number(process.env.FUZZ_PG_RUNS ?? Math.ceil(RUNS / 4));
const HEALTH_EVERY = 500;

interface Stats {
  cases: number;
  byFamily: Map<string, number>;
  byAnswer: Map<string, number>;
  methods: Set<string>;
  /** Cases whose verdict allowed exactly one answer (one wrong field, or none). */
  exact: number;
  /** The others: several fields wrong at one stage. */
  ambiguous: Map<string, number>;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function top(map: Map<string, number>, n = 12): string {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function describeVerdict(verdict: Verdict): string {
  if (verdict.kind === 'ok') return 'OK';
  if (verdict.kind === 'write') return 'WRITE';
  return `${verdict.code} ${verdict.options.map((o) => `${o.reason}(${o.field ?? '-'})`).join(' | ')}`;
}

async function fuzz(target: FuzzTarget, token: string, world: World, runs: number, seed: number): Promise<Stats> {
  const client = new RawClient(target.port, token);
  const stats: Stats = { cases: 0, byFamily: new Map(), byAnswer: new Map(), methods: new Set(), exact: 0, ambiguous: new Map() };
  try {
    await fc.assert(
      fc.asyncProperty(anyCase(world), async (c: FuzzCase) => {
        const { verdict } = expectedFor(c.method, c.bytes, world);
        const label = `${c.method.path} [${c.family}: ${c.note}] bytes(${c.bytes.length})=${Buffer.from(c.bytes.slice(0, 120)).toString('hex')}${c.bytes.length > 120 ? '…' : ''} expected ${describeVerdict(verdict)}`;
        expect(verdict.kind, `${label}: a generated case would write`).to.not.equal('write');
        const before = await target.snapshot();
        const answer = await client.call(c.method.path, c.bytes);
        const after = await target.snapshot();
        stats.cases += 1;
        bump(stats.byFamily, c.family);
        bump(stats.byAnswer, answer.reason ? `${answer.code}/${answer.reason}` : answer.code);
        stats.methods.add(c.method.path);
        if (verdict.kind === 'ok') {
          expect(answer.code, `${label}: ${answer.message}`).to.equal('OK');
          stats.exact += 1;
        } else if (verdict.kind === 'error') {
          if (verdict.options.length === 1) stats.exact += 1;
          else bump(stats.ambiguous, `${c.method.path.split('/')[2]}: ${verdict.options.map((o) => o.reason).join('|')}`);
          const codes = new Set(verdict.options.map((o) => o.code ?? verdict.code));
          expect(answer.code, `${label}: got ${answer.reason} (${answer.field}) "${answer.message}"`).to.be.oneOf([...codes]);
          expect(
            verdict.options.some((o) => (o.code ?? verdict.code) === answer.code && o.reason === answer.reason && o.field === answer.field),
            `${label}: got ${answer.code} ${answer.reason} (${answer.field}) "${answer.message}"`,
          ).to.equal(true);
          expect(answer.message, label).to.not.match(/\n\s+at /);
        }
        expect(after === before, `${label}: stored rows changed`).to.equal(true);
        if (stats.cases % HEALTH_EVERY === 0) expect(await serving(target.port), 'health after a batch').to.equal(true);
      }),
      { seed, numRuns: runs, endOnFailure: true },
    );
  } finally {
    client.close();
  }
  expect(target.internalErrors, 'INTERNAL errors reported by the server').to.deep.equal([]);
  expect(await serving(target.port), 'health after the run').to.equal(true);
  return stats;
}

function report(name: string, stats: Stats, ms: number): void {
  console.log(
    `      ${name}: ${stats.cases} cases in ${(ms / 1000).toFixed(1)} s (${top(stats.byFamily)}), ${stats.methods.size}/${METHODS.length} RPCs, ` +
      `${stats.exact} with exactly one acceptable answer`,
  );
  console.log(`        answers: ${top(stats.byAnswer, 40)}`);
  if (stats.ambiguous.size > 0) console.log(`        several acceptable answers: ${top(stats.ambiguous, 6)}`);
}

describe(`wire fuzz: every billing.v1 request as raw bytes (seed ${SEED})`, function () {
  this.timeout(0);

  before(() => {
    if (!Number.isSafeInteger(SEED)) throw new Error(`FUZZ_SEED must be an integer (got ${process.env.FUZZ_SEED})`);
    console.log(`      fuzz seed=${SEED} runs=${RUNS} (in-memory) + ${PG_RUNS} (PostgreSQL); replay with FUZZ_SEED=${SEED}`);
  });

  it('has an oracle rule for every RPC', () => {
    expect(methodsWithoutOracle()).to.deep.equal([]);
    expect(METHODS.length).to.equal(24);
  });

  it(`in-process server over fakes (real interceptors and JWT check): ${RUNS} cases, each answered as published, nothing stored changes`, async () => {
    const target = await startFakeTarget();
    try {
      const token = await adminToken();
      const world = await makeWorld(clientsFor(target.port, token), target.clock.now());
      const started = performance.now();
      const stats = await fuzz(target, token, world, RUNS, SEED);
      report('in-memory', stats, performance.now() - started);
      expect(stats.methods.size, 'RPCs reached').to.equal(METHODS.length);
      expect(stats.cases).to.equal(RUNS);
    } finally {
      await target.close();
    }
  });

  it(`the service as production wires it on PostgreSQL: ${PG_RUNS} cases, same oracle`, async () => {
    let h: GrpcHarness | undefined;
    try {
      h = await startPostgresHarness();
      const world = await makeWorld(h, h.clock.now());
      const started = performance.now();
      const target: FuzzTarget = { name: 'postgres', port: h.port, snapshot: () => h!.snapshot(), internalErrors: h.internalErrors, close: () => h!.close() };
      const stats = await fuzz(target, h.token, world, PG_RUNS, SEED + 1);
      report('postgres', stats, performance.now() - started);
      expect(stats.cases).to.equal(PG_RUNS);
    } finally {
      await h?.close();
    }
  });
});

describe(`malformed gRPC requests at the HTTP/2 level (seed ${SEED})`, function () {
  this.timeout(0);
  let target: Awaited<ReturnType<typeof startFakeTarget>>;
  let token: string;

  before(async () => {
    target = await startFakeTarget();
    token = await adminToken();
  });
  after(() => target?.close());

  for (const frame of FRAME_CASES) {
    it(`${frame.name}: ${frame.expected}`, async () => {
      const before = await target.snapshot();
      const answer = await sendFrame(target.port, token, frame);
      expect(answer.outcome, answer.detail).to.equal(frame.expected);
      expect(await target.snapshot()).to.equal(before);
      expect(await serving(target.port)).to.equal(true);
    });
  }

  it('random framing (flags, declared lengths, garbage, trailing bytes): each answered as the table says; the server still serves', async () => {
    const counts = new Map<string, number>();
    const before = await target.snapshot();
    await fc.assert(
      fc.asyncProperty(frameBody(), async (body) => {
        const expected = expectedForFrame(body.bytes);
        const answer = await sendFrame(target.port, token, { name: body.note, path: '/billing.v1.SchoolService/ListSchools', body: Buffer.from(body.bytes), expected });
        bump(counts, answer.outcome);
        expect(answer.outcome, `${body.note} ${Buffer.from(body.bytes.slice(0, 16)).toString('hex')}: ${answer.detail}`).to.equal(expected);
      }),
      { seed: SEED, numRuns: Math.max(200, Math.ceil(RUNS / 10)) },
    );
    console.log(`      HTTP/2 framing: ${top(counts)}`);
    expect(await target.snapshot()).to.equal(before);
    expect(await serving(target.port)).to.equal(true);
    expect(target.internalErrors).to.deep.equal([]);
  });
});
