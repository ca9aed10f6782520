import { banner } from './banner.js';
import { startService } from './composition/service.js';
import { ConfigError, loadConfig } from './config.js';
import { countDroppedLines, createLogger, stdoutDestination } from './infrastructure/logging/logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const logs = stdoutDestination();
  const droppedLines = countDroppedLines(logs);
  const logger = createLogger(config.LOG_LEVEL, logs);
  const service = await startService(config, logger);
  service.metrics.observeDroppedLogLines(droppedLines);
  logger.info(
    {
      grpcPort: service.grpcPort,
      connectPort: service.connectPort,
      metricsPort: service.metricsPort,
      database: service.database,
      cache: service.cache,
      authentication: service.authentication,
      transport: service.transport,
    },
    'school billing service ready',
  );
  // Startup's lines (warnings among them) come before the banner, not up to 200 ms after it.
  logs.flushSync();
  process.stdout.write(
    banner({
      grpcHost: config.GRPC_HOST,
      grpcPort: service.grpcPort,
      connectHost: config.CONNECT_HOST,
      ...(service.connectPort !== undefined ? { connectPort: service.connectPort } : {}),
      metricsHost: config.METRICS_HOST,
      ...(service.metricsPort !== undefined ? { metricsPort: service.metricsPort } : {}),
      database: service.database,
      cache: service.cache,
      transport: service.transport,
      authentication: service.authentication,
      ...(service.developmentToken ? { developmentToken: service.developmentToken } : {}),
    }),
  );

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

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
