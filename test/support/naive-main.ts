/**
 * Test entrypoint: the service exactly as src/main.ts starts it, but with
 * the seed's naive statement cache policy (naive-statement-cache.ts) in place
 * of the real one, through InfrastructureOverrides.statementCache. Spawned by
 * spawnService(env, { entry: NAIVE_SERVICE_ENTRY }) for the stale-read
 * checker; never part of the product.
 */
import { pino } from 'pino';
import { startService } from '../../src/composition/service.js';
import { loadConfig } from '../../src/config.js';
import { NaiveStatementCache } from './naive-statement-cache.js';

const config = loadConfig();
const logger = pino({ level: config.LOG_LEVEL });
const service = await startService(config, logger, {
  statementCache: ({ store, clock, metrics, settings }) => new NaiveStatementCache(store, clock, metrics, settings),
});
// The banner line spawnService waits for, as src/main.ts prints it.
process.stdout.write(`\n  School billing gRPC service on http://localhost:${service.grpcPort} (naive statement cache policy)\n`);
const stop = () => void service.stop().then(() => process.exit(0), () => process.exit(1));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
