import type { Transport } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';

/** A gRPC transport to `url` that sends `token` as a bearer token on every call (none when absent). */
export function benchTransport(url: string, token?: string): Transport {
  return createGrpcTransport({
    baseUrl: url,
    interceptors: token ? [(next) => (request) => (request.header.set('authorization', `Bearer ${token}`), next(request))] : [],
  });
}
