import { Code, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from '../../gen/grpc/health/v1/health_pb.js';
import { transportError } from './errors.js';

export { ServingStatus };

/**
 * The serving status of each service name ('' is the whole server), as the
 * gRPC health protocol reports it. The main program flips it to NOT_SERVING
 * when it starts shutting down, so load balancers stop sending traffic.
 */
export class HealthStatus {
  private readonly statuses = new Map<string, ServingStatus>();
  private version = 0;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(services: readonly string[] = [], initial: ServingStatus = ServingStatus.SERVING) {
    for (const name of ['', ...services]) this.statuses.set(name, initial);
  }

  /** Ignored once shut down: a late readiness probe must not bring a draining server back. */
  set(service: string, status: ServingStatus): void {
    if (this.closed || this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    this.changed();
  }

  /** Every known service name, the server ('') included. */
  setAll(status: ServingStatus): void {
    for (const name of this.statuses.keys()) this.set(name, status);
  }

  get(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  all(): ReadonlyMap<string, ServingStatus> {
    return new Map(this.statuses);
  }

  /**
   * Shutting down: everything NOT_SERVING, then every Watch stream ends after
   * telling its caller, so they do not hold the server open while it drains.
   */
  shutdown(): void {
    this.setAll(ServingStatus.NOT_SERVING);
    this.closed = true;
    this.changed();
  }

  /** The status of a service now, then at each change, until the signal fires or the server shuts down. */
  async *watch(service: string, signal: AbortSignal): AsyncGenerator<ServingStatus> {
    let last: ServingStatus | undefined;
    while (!signal.aborted) {
      const seen = this.version;
      const current = this.statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN;
      if (current !== last) {
        last = current;
        yield current;
      }
      if (this.closed) return;
      await this.changeSince(seen, signal);
    }
  }

  private changed(): void {
    this.version += 1;
    for (const wake of [...this.waiters]) wake();
  }

  private changeSince(version: number, signal: AbortSignal): Promise<void> {
    if (this.version !== version || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}

/** grpc.health.v1.Health over a HealthStatus. */
export function healthService(health: HealthStatus): ServiceImpl<typeof Health> {
  return {
    check(request) {
      const status = health.get(request.service);
      if (status === undefined) {
        throw transportError(Code.NotFound, 'SERVICE_UNKNOWN', `unknown service ${JSON.stringify(request.service)}`, 'service');
      }
      return { status };
    },

    list() {
      return { statuses: Object.fromEntries([...health.all()].map(([name, status]) => [name, { status }])) };
    },

    async *watch(request, context: HandlerContext) {
      for await (const status of health.watch(request.service, context.signal)) yield { status };
    },
  };
}
