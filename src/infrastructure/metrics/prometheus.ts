import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Sequelize } from 'sequelize';
import type {
  CacheCounters,
  CacheEvent,
  StatementCacheMetrics,
  StatementKind,
} from '../../application/ports/statement-cache-metrics.js';
import { CACHE_EVENTS } from '../../application/ports/statement-cache-metrics.js';
import { CacheCounterMetrics } from './cache-counters.js';

/**
 * This replica's Prometheus metrics, on a registry of its own (several
 * services may run in one process, in tests):
 *
 * - gRPC server: grpc_server_started_total, grpc_server_handled_total,
 *   grpc_server_handling_seconds (the names and labels of go-grpc-prometheus,
 *   so existing dashboards and alerts apply);
 * - statement cache: billing_statement_cache_events_total{kind,event},
 *   billing_statement_cache_compute_seconds{kind},
 *   billing_statement_cache_entry_bytes{kind};
 * - PostgreSQL pool: billing_db_pool_{connections,idle,in_use,waiting,max};
 * - Redis: billing_redis_breaker_state{state} (1 for the current state),
 *   billing_redis_breaker_transitions_total{state};
 * - readiness: billing_ready (1 while grpc.health.v1 says SERVING);
 * - logs: billing_log_lines_dropped_total (lines a stalled stdout reader cost);
 * - process and Node.js: prom-client's default metrics.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly cache: PrometheusCacheMetrics;
  private readonly rpcStarted: Counter<'grpc_service' | 'grpc_method' | 'grpc_type'>;
  private readonly rpcHandled: Counter<'grpc_service' | 'grpc_method' | 'grpc_type' | 'grpc_code'>;
  private readonly rpcSeconds: Histogram<'grpc_service' | 'grpc_method' | 'grpc_type'>;
  private readonly breakerTransitions: Counter<'state'>;
  private processMetrics = false;

  constructor() {
    const registers = [this.registry];
    this.rpcStarted = new Counter({
      name: 'grpc_server_started_total',
      help: 'RPCs started on the server.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_type'],
      registers,
    });
    this.rpcHandled = new Counter({
      name: 'grpc_server_handled_total',
      help: 'RPCs completed on the server, by status code.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_type', 'grpc_code'],
      registers,
    });
    this.rpcSeconds = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Time from the start of an RPC (after parsing) to its answer.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.breakerTransitions = new Counter({
      name: 'billing_redis_breaker_transitions_total',
      help: 'Transitions of the Redis circuit breaker, by the state entered.',
      labelNames: ['state'],
      registers,
    });
    this.cache = new PrometheusCacheMetrics(this.registry);
  }

  /** The RpcMetrics of the metrics interceptor (unary calls). */
  readonly rpc = {
    started: (service: string, method: string) => this.rpcStarted.inc({ grpc_service: service, grpc_method: method, grpc_type: 'unary' }),
    handled: (service: string, method: string, code: string, seconds: number) => {
      const labels = { grpc_service: service, grpc_method: method, grpc_type: 'unary' };
      this.rpcHandled.inc({ ...labels, grpc_code: code });
      this.rpcSeconds.observe(labels, seconds);
    },
  };

  /** Process and Node.js metrics (CPU, memory, event loop lag, GC, handles). Once per registry. */
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** Gauges read from the Sequelize pool at each scrape. */
  observePool(sequelize: Sequelize): void {
    const pool = () => (sequelize.connectionManager as unknown as { pool?: Partial<PoolFigures> }).pool;
    const gauge = (name: string, help: string, read: (figures: Partial<PoolFigures>) => number | undefined) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const figures = pool();
          this.set(figures ? (read(figures) ?? 0) : 0);
        },
      });
    gauge('billing_db_pool_connections', 'PostgreSQL connections open in the pool.', (p) => p.size);
    gauge('billing_db_pool_idle', 'Open PostgreSQL connections not in use.', (p) => p.available);
    gauge('billing_db_pool_in_use', 'PostgreSQL connections running a query or transaction.', (p) => p.using);
    gauge('billing_db_pool_waiting', 'Requests waiting for a PostgreSQL connection.', (p) => p.waiting);
    gauge('billing_db_pool_max', 'Most PostgreSQL connections the pool opens (DATABASE_POOL_MAX).', (p) => p.maxSize);
  }

  /** billing_redis_breaker_state{state}: 1 for the breaker's current state, 0 for the others. */
  observeBreaker(current: () => string): void {
    new Gauge({
      name: 'billing_redis_breaker_state',
      help: 'State of the Redis circuit breaker (1 = current): closed, open, half-open, isolated.',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const now = current();
        for (const state of ['closed', 'open', 'half-open', 'isolated']) this.set({ state }, state === now ? 1 : 0);
      },
    });
  }

  breakerStateChanged(state: string): void {
    this.breakerTransitions.inc({ state });
  }

  /** billing_ready: 1 while the service reports SERVING. */
  observeReadiness(serving: () => boolean): void {
    new Gauge({
      name: 'billing_ready',
      help: '1 while grpc.health.v1 reports SERVING (migrations done, PostgreSQL answering), else 0.',
      registers: [this.registry],
      collect() {
        this.set(serving() ? 1 : 0);
      },
    });
  }

  /** billing_log_lines_dropped_total, read from the log destination's count at each scrape. */
  observeDroppedLogLines(dropped: () => number): void {
    new Counter({
      name: 'billing_log_lines_dropped_total',
      help: 'Log lines dropped because the reader of stdout fell more than 16 MiB behind.',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(dropped());
      },
    });
  }

  /** The exposition text and its content type, for GET /metrics. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

interface PoolFigures {
  size: number;
  available: number;
  using: number;
  waiting: number;
  maxSize: number;
}

/**
 * The statement cache metrics port on prom-client: a counter per kind and
 * event, and histograms of compute time and stored entry size. The same
 * counts are kept in memory for GetCacheStats (snapshot()).
 */
export class PrometheusCacheMetrics implements StatementCacheMetrics {
  private readonly counts = new CacheCounterMetrics();
  private readonly events: Counter<'kind' | 'event'>;
  private readonly computeSeconds: Histogram<'kind'>;
  private readonly entryBytes: Histogram<'kind'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.events = new Counter({
      name: 'billing_statement_cache_events_total',
      help: `Statement cache events by kind (student, school) and event (${CACHE_EVENTS.join(', ')}).`,
      labelNames: ['kind', 'event'],
      registers,
    });
    // Every series exists from the start, so rate() and ratios work before the first event.
    for (const kind of ['student', 'school'] as const) for (const event of CACHE_EVENTS) this.events.inc({ kind, event }, 0);
    this.computeSeconds = new Histogram({
      name: 'billing_statement_cache_compute_seconds',
      help: 'Time to compute a statement from PostgreSQL (a miss or a bypass).',
      labelNames: ['kind'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.entryBytes = new Histogram({
      name: 'billing_statement_cache_entry_bytes',
      help: 'Stored size of statement cache entries written (envelope included, after compression).',
      labelNames: ['kind'],
      buckets: [512, 1024, 2048, 4096, 8192, 16_384, 32_768, 65_536, 131_072, 262_144, 524_288, 1_048_576, 4_194_304],
      registers,
    });
  }

  count(kind: StatementKind, event: CacheEvent): void {
    this.counts.count(kind, event);
    this.events.inc({ kind, event });
  }

  observeComputeMs(kind: StatementKind, ms: number): void {
    this.counts.observeComputeMs(kind, ms);
    this.computeSeconds.observe({ kind }, ms / 1000);
  }

  observeEntryBytes(kind: StatementKind, bytes: number): void {
    this.counts.observeEntryBytes(kind, bytes);
    this.entryBytes.observe({ kind }, bytes);
  }

  snapshot(): CacheCounters {
    return this.counts.snapshot();
  }
}
