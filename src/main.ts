import { pino } from 'pino';
import { type RunningService, startService } from './composition/service.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.LOG_LEVEL });
  const service = await startService(config, logger);
  logger.info(
    { grpcPort: service.grpcPort, database: service.database, cache: service.cache, authentication: service.authentication, transport: service.transport },
    'school billing service ready',
  );
  process.stdout.write(banner(service));

  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

function banner(service: RunningService): string {
  const tls = service.transport !== 'plaintext';
  const api = `${tls ? 'https' : 'http'}://localhost:${service.grpcPort}`;
  const transport = { plaintext: 'plaintext', tls: 'TLS', mtls: 'mutual TLS' }[service.transport];
  // buf curl needs the CA (and, for mutual TLS, a client certificate) on a TLS port.
  const curl = [
    'npx buf curl --protocol grpc',
    tls ? '--cacert ca.pem' : '--http2-prior-knowledge',
    ...(service.transport === 'mtls' ? ['--cert client.pem --key client-key.pem'] : []),
  ].join(' ');
  const token = service.developmentToken ?? '$TOKEN';
  const lines = [
    '',
    `  School billing gRPC service on ${api} (reflection on, ${transport})`,
    `  database: ${service.database}`,
    `  statement cache: ${service.cache}`,
    `  authentication: ${service.authentication}`,
  ];
  if (service.developmentToken) {
    lines.push(
      '',
      '  WARNING: no token keys are configured; this service signs and accepts tokens with a development',
      '  secret (never in production: set AUTH_JWT_SECRET, AUTH_JWKS_FILE or AUTH_JWKS_URL). An admin token',
      '  for the next 24 hours (more with `npm run token -- --role admin`):',
      '',
      `    TOKEN=${service.developmentToken}`,
    );
  }
  const auth = service.authentication.startsWith('OFF') ? '' : ` -H "Authorization: Bearer ${token}"`;
  lines.push(
    '',
    '  Try:',
    `    ${curl} --list-methods ${api}`,
    `    ${curl}${auth} -d '{"name":"North High","currencyCode":"USD","timezone":"America/New_York"}' ${api}/billing.v1.SchoolService/CreateSchool`,
    '',
  );
  return lines.join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
