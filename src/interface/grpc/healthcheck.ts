/**
 * Container health check: exits 0 when grpc.health.v1.Health/Check of the
 * whole server ('') answers SERVING on 127.0.0.1:$GRPC_PORT, else 1. Health
 * needs no token. With TLS_CERT_FILE set it speaks TLS to the local port
 * (without verifying the server: it dials its own process and sends nothing
 * secret) and, for mutual TLS (TLS_CA_FILE), presents the server's own
 * certificate and key as its client certificate, so that certificate must
 * be issued by a CA in TLS_CA_FILE.
 *
 *   node dist/interface/grpc/healthcheck.js
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Health, HealthCheckResponse_ServingStatus } from '../../gen/grpc/health/v1/health_pb.js';

export interface HealthCheckTls {
  /** Trusted CA(s) of the server certificate; unset: the server is not verified. */
  readonly ca?: Buffer;
  /** Client certificate and key, for mutual TLS. */
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export async function isServing(options: { host?: string; port: number; timeoutMs?: number; tls?: HealthCheckTls }): Promise<boolean> {
  const host = options.host ?? '127.0.0.1';
  const tls = options.tls;
  const transport = createGrpcTransport({
    baseUrl: `${tls ? 'https' : 'http'}://${host}:${options.port}`,
    ...(tls
      ? {
          nodeOptions: {
            ...(tls.ca ? { ca: tls.ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: false }),
            ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
          },
        }
      : {}),
  });
  const client = createClient(Health, transport);
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

function tlsFromEnv(env: NodeJS.ProcessEnv): HealthCheckTls | undefined {
  const nonEmpty = (name: string) => (env[name] ? env[name] : undefined);
  const certFile = nonEmpty('TLS_CERT_FILE');
  const keyFile = nonEmpty('TLS_KEY_FILE');
  const caFile = nonEmpty('TLS_CA_FILE');
  if (!certFile || !keyFile) return undefined;
  // With a client CA the server wants a client certificate: its own will do if that CA signed it.
  return caFile ? { cert: readFileSync(certFile), key: readFileSync(keyFile) } : {};
}

async function main(): Promise<void> {
  let serving = false;
  try {
    serving = await isServing({ port: portFromEnv(process.env.GRPC_PORT), tls: tlsFromEnv(process.env) });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.stdout.write(serving ? 'SERVING\n' : 'NOT SERVING\n');
  process.exit(serving ? 0 : 1);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
