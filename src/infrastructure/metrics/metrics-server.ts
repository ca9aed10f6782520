import { once } from 'node:events';
import { type Server, createServer } from 'node:http';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The Prometheus scrape endpoint: `GET /metrics` (and `/`) answers the
 * exposition text; anything else is 404. Plain HTTP on its own port.
 */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  exposition: () => Promise<{ contentType: string; body: string }>;
  onError?: (error: unknown) => void;
}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if ((path !== '/metrics' && path !== '/') || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: scrape /metrics\n');
      return;
    }
    options.exposition().then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        options.onError?.(error);
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
      },
    );
  });
  server.keepAliveTimeout = 5_000;
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
