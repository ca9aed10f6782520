import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Sequelize } from 'sequelize';
import { ServiceMetrics } from '../../src/infrastructure/metrics/prometheus.js';
import { parseExposition } from '../support/prometheus-text.js';

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

/** Metric names in a PromQL expression (identifiers followed by `{`). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1]!);
}

describe('Grafana dashboard (deploy/grafana/dashboards/school-billing.json)', () => {
  const dashboard = JSON.parse(readFileSync('deploy/grafana/dashboards/school-billing.json', 'utf8')) as { uid: string; panels: Panel[] };

  it('queries only metrics the service exposes', async () => {
    const metrics = new ServiceMetrics();
    metrics.collectProcessMetrics();
    metrics.observePool({ connectionManager: { pool: { size: 1, available: 1, using: 0, waiting: 0, maxSize: 20 } } } as unknown as Sequelize);
    metrics.observeBreaker(() => 'closed');
    metrics.observeReadiness(() => true);
    metrics.breakerStateChanged('open');
    metrics.rpc.started('billing.v1.SchoolService', 'GetSchool');
    metrics.rpc.handled('billing.v1.SchoolService', 'GetSchool', 'OK', 0.01);
    metrics.cache.observeComputeMs('student', 3);
    metrics.cache.observeEntryBytes('student', 2048);
    const exposed = new Set(parseExposition((await metrics.exposition()).body).map((sample) => sample.name));

    const queried = dashboard.panels.flatMap((panel) => (panel.targets ?? []).flatMap((target) => metricNames(target.expr)));
    expect(queried.length).to.be.greaterThan(20);
    for (const name of queried) expect(exposed.has(name), `${name} is not exposed`).to.equal(true);
  });

  it('covers RPCs, the statement cache, the pool, the breaker, readiness and the process', () => {
    const text = JSON.stringify(dashboard);
    for (const name of [
      'grpc_server_handled_total',
      'grpc_server_handling_seconds_bucket',
      'grpc_server_started_total',
      'billing_statement_cache_events_total',
      'billing_statement_cache_compute_seconds_bucket',
      'billing_statement_cache_entry_bytes_bucket',
      'billing_db_pool_waiting',
      'billing_redis_breaker_state',
      'billing_ready',
      'process_resident_memory_bytes',
    ]) {
      expect(text, name).to.include(name);
    }
    expect(dashboard.uid).to.equal('school-billing');
  });
});
