/** Options of the Redis adapter that the composition root reads from the environment. */
import { expect } from 'chai';
import { RedisStatementCache, parseClusterNodes } from '../../../src/infrastructure/cache/redis-statement-cache.js';

describe('Redis statement cache options', () => {
  it('parses REDIS_CLUSTER_NODES as host:port pairs', () => {
    expect(parseClusterNodes('10.0.0.1:7000, redis-b:7001,[::1]:7002')).to.deep.equal([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    for (const bad of ['', ' , ', 'redis-a', 'redis-a:0', 'redis-a:70000', 'redis-a:7000:1', 'redis://a:7000']) {
      expect(() => parseClusterNodes(bad), bad).to.throw(RangeError);
    }
  });

  it('refuses nonsensical timeouts and bounds before opening any connection', () => {
    const connection = { url: 'redis://127.0.0.1:1' };
    expect(() => new RedisStatementCache({ connection, commandTimeoutMs: 0 })).to.throw(RangeError);
    expect(() => new RedisStatementCache({ connection, commandTimeoutMs: 1.5 })).to.throw(RangeError);
    expect(() => new RedisStatementCache({ connection, breaker: { consecutiveFailures: 0 } })).to.throw(RangeError);
    expect(() => new RedisStatementCache({ connection, breaker: { halfOpenAfterMs: -1 } })).to.throw(RangeError);
    expect(() => new RedisStatementCache({ connection, compressAboveBytes: -1 })).to.throw(RangeError);
    expect(() => new RedisStatementCache({ connection: { clusterNodes: [] } })).to.throw(RangeError);
  });
});
