import { pino } from 'pino';
import { startService } from './composition/service.js';
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
  logger.info({ grpcPort: service.grpcPort, database: service.database, cache: service.cache }, 'school billing service ready');
  process.stdout.write(banner(service.grpcPort, service.database, service.cache));

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

function banner(port: number, database: string, cache: string): string {
  const api = `http://localhost:${port}`;
  return [
    '',
    `  School billing gRPC service on ${api} (reflection on, plaintext)`,
    `  database: ${database}`,
    `  statement cache: ${cache}`,
    '',
    '  Try:',
    `    npx buf curl --protocol grpc --http2-prior-knowledge --list-methods ${api}`,
    `    npx buf curl --protocol grpc --http2-prior-knowledge -d '{"name":"North High","currencyCode":"USD","timezone":"America/New_York"}' ${api}/billing.v1.SchoolService/CreateSchool`,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
