import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';

const failure = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    return error;
  }
  return null;
};

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).to.deep.include({
      GRPC_PORT: 50051,
      DATA_DIR: '.data',
      LOG_LEVEL: 'info',
      CACHE_TTL_SECONDS: 3600,
      CACHE_LEASE_MS: 5000,
      CACHE_KEY_PREFIX: '',
      REDIS_COMMAND_TIMEOUT_MS: 100,
      METRICS_HOST: '0.0.0.0',
      METRICS_PORT: 9464,
      CONNECT_HOST: '0.0.0.0',
      HEALTH_PROBE_INTERVAL_MS: 5000,
    });
    expect(loadConfig({}).CONNECT_PORT).to.equal(undefined);
  });

  it('turns metrics off with METRICS_PORT=0 and the Connect listener on with CONNECT_PORT', () => {
    expect(loadConfig({ METRICS_PORT: '0', CONNECT_PORT: '8080' })).to.deep.include({ METRICS_PORT: 0, CONNECT_PORT: 8080 });
  });

  it('names the bad variable and what is wrong', () => {
    for (const [variable, value] of [
      ['GRPC_PORT', 'http'],
      ['GRPC_PORT', '70000'],
      ['DATABASE_URL', 'mysql://x'],
      ['REDIS_URL', 'localhost:6379'],
      ['REDIS_CLUSTER_NODES', 'a:1,b'],
      ['CACHE_TTL_SECONDS', '0'],
      ['CACHE_KEY_PREFIX', 'billing:*'],
      ['LOG_LEVEL', 'loud'],
      ['METRICS_PORT', '-1'],
      ['METRICS_PORT', 'metrics'],
      ['CONNECT_PORT', '65536'],
      ['CONNECT_PORT', '80.5'],
      ['HEALTH_PROBE_INTERVAL_MS', '10'],
      ['HEALTH_PROBE_INTERVAL_MS', 'often'],
    ]) {
      const error = failure({ [variable!]: value! });
      expect(error, `${variable}=${value}`).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).variable).to.equal(variable);
      expect((error as ConfigError).message).to.include(variable!);
    }
  });

  it('takes one Redis or one cluster, not both', () => {
    const error = failure({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' });
    expect((error as ConfigError).variable).to.equal('REDIS_CLUSTER_NODES');
  });

  it('has the documented security defaults: JWT on, plaintext, 1 MiB messages, 100 calls/s with bursts of 200', () => {
    expect(loadConfig({})).to.deep.include({
      AUTH_MODE: 'jwt',
      AUTH_ISSUER: 'school-billing',
      AUTH_AUDIENCE: 'school-billing',
      GRPC_MAX_RECEIVE_MESSAGE_BYTES: 1024 * 1024,
      GRPC_MAX_CONCURRENT_STREAMS: 100,
      RATE_LIMIT_PER_SECOND: 100,
      RATE_LIMIT_BURST: 200,
    });
    expect(loadConfig({}).TLS_CERT_FILE).to.equal(undefined);
  });

  it('refuses to run in production without token keys, naming the variables', () => {
    const error = failure({ NODE_ENV: 'production' }) as ConfigError;
    expect(error).to.be.instanceOf(ConfigError);
    for (const variable of ['AUTH_JWT_SECRET', 'AUTH_JWKS_FILE', 'AUTH_JWKS_URL', 'NODE_ENV=production']) expect(error.message).to.include(variable);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks.json' }).AUTH_JWKS_URL).to.equal('https://idp.example/jwks.json');
  });

  it('refuses AUTH_MODE=none in production, and allows it elsewhere', () => {
    expect((failure({ NODE_ENV: 'production', AUTH_MODE: 'none', AUTH_JWT_SECRET: 'x'.repeat(32) }) as ConfigError).variable).to.equal('AUTH_MODE');
    expect(loadConfig({ AUTH_MODE: 'none' }).AUTH_MODE).to.equal('none');
  });

  it('never repeats a secret in an error', () => {
    const error = failure({ AUTH_JWT_SECRET: 'short-but-secret' }) as ConfigError;
    expect(error.variable).to.equal('AUTH_JWT_SECRET');
    expect(error.message).to.include('16 characters').and.not.include('short-but-secret');
  });

  it('takes one source of token keys, TLS files in pairs, and a CA only with them', () => {
    const secret = 'x'.repeat(32);
    expect((failure({ AUTH_JWT_SECRET: secret, AUTH_JWKS_FILE: '/keys.json' }) as ConfigError).variable).to.equal('AUTH_JWKS_FILE');
    expect((failure({ TLS_CERT_FILE: '/cert.pem' }) as ConfigError).variable).to.equal('TLS_KEY_FILE');
    expect((failure({ TLS_KEY_FILE: '/key.pem' }) as ConfigError).variable).to.equal('TLS_CERT_FILE');
    expect((failure({ TLS_CA_FILE: '/ca.pem' }) as ConfigError).variable).to.equal('TLS_CA_FILE');
    for (const [variable, value] of [
      ['AUTH_MODE', 'off'],
      ['AUTH_JWKS_URL', 'idp/jwks'],
      ['GRPC_MAX_RECEIVE_MESSAGE_BYTES', '10'],
      ['RATE_LIMIT_PER_SECOND', '-1'],
      ['RATE_LIMIT_BURST', '0'],
    ]) {
      expect((failure({ [variable!]: value! }) as ConfigError).variable, `${variable}=${value}`).to.equal(variable);
    }
    expect(loadConfig({ RATE_LIMIT_PER_SECOND: '0' }).RATE_LIMIT_PER_SECOND).to.equal(0);
  });

  it('refuses two listeners on one fixed port, naming the later one', () => {
    expect((failure({ GRPC_PORT: '7000', METRICS_PORT: '7000' }) as ConfigError).variable).to.equal('METRICS_PORT');
    expect((failure({ GRPC_PORT: '7000', CONNECT_PORT: '7000' }) as ConfigError).variable).to.equal('CONNECT_PORT');
    expect((failure({ METRICS_PORT: '7001', CONNECT_PORT: '7001' }) as ConfigError).message).to.match(/CONNECT_PORT.*METRICS_PORT/);
    expect(loadConfig({ GRPC_PORT: '0', METRICS_PORT: '0', CONNECT_PORT: '0' })).to.deep.include({ GRPC_PORT: 0, METRICS_PORT: 0, CONNECT_PORT: 0 });
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', GRPC_PORT: '' });
    expect(config.GRPC_PORT).to.equal(50051);
    expect(config.DATABASE_URL).to.equal(undefined);
  });
});

describe('README configuration table', () => {
  it('lists every setting the service reads', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## The statement cache'));
    const documented = new Set([...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));
    const settings = Object.keys(loadConfig({ DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://x', CONNECT_PORT: '1' }));
    expect(settings.filter((name) => !documented.has(name))).to.deep.equal([]);
  });
});
