/**
 * Service replicas as separate processes on one PostgreSQL database and one
 * Redis (spawned-service.ts), and typed gRPC clients on as many HTTP/2
 * connections to each as a test wants.
 */
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { CacheAdminService } from '../../src/gen/billing/v1/cache_admin_pb.js';
import { adminToken, bearer } from './auth.js';
import { type BillingClients, billingClients } from './service-harness.js';
import { NAIVE_SERVICE_ENTRY, type SpawnedService, spawnService } from './spawned-service.js';

export type CachePolicy = 'real' | 'naive';

export interface ReplicaOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly policy?: CachePolicy;
  /** More environment (e.g. CACHE_LEASE_MS). */
  readonly env?: Record<string, string>;
}

export interface Replica {
  readonly name: string;
  readonly service: SpawnedService;
  readonly baseUrl: string;
  /** Clients on a new HTTP/2 connection of their own. */
  connect(): BillingClients;
  admin(): Client<typeof CacheAdminService>;
}

/**
 * `count` service processes (`src/main.ts`, or the naive-policy entrypoint),
 * started in parallel on the same database and Redis; the database is
 * already migrated, so none of them migrates. If one fails to start, the
 * others are stopped before this rejects.
 */
export async function startReplicas(count: number, options: ReplicaOptions): Promise<Replica[]> {
  const env = {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    MIGRATE_ON_START: 'false',
    SHUTDOWN_GRACE_MS: '2000',
    ...options.env,
  };
  const entry = options.policy === 'naive' ? NAIVE_SERVICE_ENTRY : 'src/main.ts';
  const started = await Promise.allSettled(Array.from({ length: count }, () => spawnService(env, { entry })));
  const services = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await stopReplicas(services.map((service) => ({ service })));
    throw failed.reason;
  }
  const token = await adminToken();
  return services.map((service, i) => {
    const baseUrl = `http://127.0.0.1:${service.port}`;
    return {
      name: `${options.policy ?? 'real'}-${String.fromCharCode(65 + i)}`,
      service,
      baseUrl,
      connect: () => billingClients(baseUrl, token),
      admin: () => createClient(CacheAdminService, createGrpcTransport({ baseUrl, interceptors: [bearer(token)] })),
    };
  });
}

/** SIGTERM to each (by its child process), waiting for every exit. */
export async function stopReplicas(replicas: readonly { readonly service: SpawnedService }[]): Promise<void> {
  await Promise.allSettled(replicas.map((replica) => replica.service.stop()));
}

/** A replica process that exited on its own (it must not: "no replica dies"). */
export function deadReplicas(replicas: readonly Replica[]): string[] {
  return replicas.filter((replica) => replica.service.process.exitCode !== null || replica.service.process.signalCode !== null).map((r) => r.name);
}
