import type { DescMethod, DescService } from '@bufbuild/protobuf';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';

/** One unary call as interceptors see it: after parsing, before the handler. */
export interface UnaryCall {
  readonly service: DescService;
  readonly method: DescMethod;
  readonly request: unknown;
  readonly context: HandlerContext;
}

/**
 * Cross-cutting behaviour around every unary handler (authentication, rate
 * limits, logging, metrics). Interceptors wrap the Connect ServiceImpls, so
 * they apply the same on every listener that serves them. An interceptor may
 * answer by throwing (a DomainError maps to its status in errors.ts).
 */
export type UnaryInterceptor = (call: UnaryCall, next: () => Promise<unknown>) => Promise<unknown>;

type UnaryMethod = (request: unknown, context: HandlerContext) => unknown;

/** The implementation with each unary method run through the interceptors, first one outermost. */
export function intercept<S extends DescService>(service: S, impl: ServiceImpl<S>, interceptors: readonly UnaryInterceptor[]): ServiceImpl<S> {
  if (interceptors.length === 0) return impl;
  const methods = impl as unknown as Record<string, UnaryMethod>;
  const wrapped: Record<string, UnaryMethod> = { ...methods };
  for (const method of service.methods) {
    if (method.methodKind !== 'unary') continue;
    const handler = methods[method.localName];
    if (!handler) continue;
    wrapped[method.localName] = (request, context) => {
      const call: UnaryCall = { service, method, request, context };
      const run = (index: number): Promise<unknown> =>
        index === interceptors.length ? Promise.resolve(handler.call(impl, request, context)) : interceptors[index]!(call, () => run(index + 1));
      return run(0);
    };
  }
  return wrapped as unknown as ServiceImpl<S>;
}
