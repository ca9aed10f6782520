import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { type ContextValues, type HandlerContext } from '@connectrpc/connect';

export interface CallContextInit {
  readonly service: DescService;
  readonly method: DescMethod;
  readonly url: string;
  /** Milliseconds left before the call's deadline; undefined when it has none. */
  readonly timeoutMs: number | undefined;
  readonly requestHeader: Headers;
  readonly values: ContextValues;
  /** Aborts every call, for a forced shutdown. */
  readonly shutdownSignal: AbortSignal | undefined;
  /** Registers the transport's cancellation callback (called at once if the call is already cancelled); returns how to unregister it. */
  readonly onCancelled: (abort: () => void) => () => void;
  readonly cancelledReason: () => unknown;
  readonly deadlineReason: () => unknown;
}

export interface CallContext {
  readonly context: HandlerContext;
  /** The call is over: its signal (if anyone asked for it) fires with `reason`, its timer stops. */
  finish(reason: unknown): void;
}

/**
 * A Connect HandlerContext for one gRPC call whose AbortSignal is made only
 * when something asks for it. Connect's own `createHandlerContext` builds a
 * deadline signal and a linked abort controller for every call; most calls
 * (a cache hit, say) never look at the signal, and building them was a
 * measurable share of a hit's CPU (docs/decisions.md).
 */
export function callContext(init: CallContextInit): CallContext {
  const startedAt = Date.now();
  let controller: AbortController | undefined;
  let stop: (() => void) | undefined;
  let finished: { reason: unknown } | undefined;
  const signal = (): AbortSignal => {
    if (controller) return controller.signal;
    // Asked for after the call ended: it is already over.
    if (finished) {
      controller = new AbortController();
      controller.abort(finished.reason);
      return controller.signal;
    }
    const made = new AbortController();
    controller = made;
    const abort = (reason: unknown) => {
      if (!made.signal.aborted) made.abort(reason);
    };
    const unregister = init.onCancelled(() => abort(init.cancelledReason()));
    const onShutdown = () => abort(init.shutdownSignal?.reason);
    init.shutdownSignal?.addEventListener('abort', onShutdown, { once: true });
    const timer = init.timeoutMs === undefined ? undefined : setTimeout(() => abort(init.deadlineReason()), Math.max(0, init.timeoutMs - (Date.now() - startedAt)));
    stop = () => {
      unregister();
      init.shutdownSignal?.removeEventListener('abort', onShutdown);
      if (timer !== undefined) clearTimeout(timer);
    };
    if (init.shutdownSignal?.aborted) abort(init.shutdownSignal.reason);
    return made.signal;
  };
  const context: HandlerContext = {
    service: init.service,
    method: init.method,
    get signal() {
      return signal();
    },
    timeoutMs: () => (init.timeoutMs === undefined ? undefined : init.timeoutMs - (Date.now() - startedAt)),
    requestMethod: 'POST',
    requestHeader: init.requestHeader,
    responseHeader: new Headers(),
    responseTrailer: new Headers(),
    protocolName: 'grpc',
    values: init.values,
    url: init.url,
  };
  return {
    context,
    finish(reason) {
      finished = { reason };
      stop?.();
      if (controller && !controller.signal.aborted) controller.abort(reason);
    },
  };
}
