import type { Logger } from 'pino';

export interface ReadinessWatch {
  /** Whether the last probe succeeded. */
  readonly ready: boolean;
  /** Stops probing; a probe in flight no longer changes anything. */
  stop(): void;
}

/**
 * Runs `probe` now and then every `intervalMs` (each probe after the last
 * one ended) and reports each change of outcome through `onChange`, so
 * grpc.health.v1 says NOT_SERVING while PostgreSQL does not answer and
 * SERVING again when it does. Resolves after the first probe.
 */
export async function watchReadiness(options: {
  probe: () => Promise<void>;
  intervalMs: number;
  onChange: (ready: boolean) => void;
  logger: Logger;
}): Promise<ReadinessWatch> {
  let ready: boolean | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const once = async () => {
    let ok = true;
    let failure: unknown;
    try {
      await options.probe();
    } catch (error) {
      ok = false;
      failure = error;
    }
    if (stopped || ok === ready) return;
    const first = ready === undefined;
    ready = ok;
    if (ok && !first) options.logger.info('PostgreSQL answers again: SERVING');
    if (!ok) options.logger.warn({ err: failure }, 'PostgreSQL does not answer: NOT_SERVING');
    options.onChange(ok);
  };
  const loop = () => {
    timer = setTimeout(() => {
      void once().finally(() => {
        if (!stopped) loop();
      });
    }, options.intervalMs);
    timer.unref();
  };
  await once();
  loop();
  return {
    get ready() {
      return ready === true;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
