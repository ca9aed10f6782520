/**
 * Container health check: exits 0 when grpc.health.v1.Health/Check of the
 * whole server ('') answers SERVING on 127.0.0.1:$GRPC_PORT, else 1.
 *
 *   node dist/interface/grpc/healthcheck.js
 */
import { pathToFileURL } from 'node:url';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Health, HealthCheckResponse_ServingStatus } from '../../gen/grpc/health/v1/health_pb.js';

export async function isServing(options: { host?: string; port: number; timeoutMs?: number }): Promise<boolean> {
  const client = createClient(Health, createGrpcTransport({ baseUrl: `http://${options.host ?? '127.0.0.1'}:${options.port}` }));
  try {
    const response = await client.check({ service: '' }, { timeoutMs: options.timeoutMs ?? 3000 });
    return response.status === HealthCheckResponse_ServingStatus.SERVING;
  } catch {
    return false;
  }
}

function portFromEnv(value: string | undefined): number {
  const port = Number(value ?? '50051');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`GRPC_PORT must be a port number, got ${value}`);
  return port;
}

async function main(): Promise<void> {
  let serving = false;
  try {
    serving = await isServing({ port: portFromEnv(process.env.GRPC_PORT) });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.stdout.write(serving ? 'SERVING\n' : 'NOT SERVING\n');
  process.exit(serving ? 0 : 1);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
