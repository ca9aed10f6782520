import { parseArgs } from 'node:util';
import { MAX_TOKEN_SCHOOLS } from './domain/access.js';
import { isUuid } from './domain/ids.js';
import { ConfigError, isProduction, loadConfig } from './config.js';
import { ensureDevelopmentSecret } from './infrastructure/auth/development-secret.js';
import { issueToken, parseLifetime } from './infrastructure/auth/token-issuer.js';

const USAGE = `usage: npm run --silent token -- --role admin|school [--school <uuid>]... [--expires 1h] [--subject <name>]

Prints a bearer token the service accepts, signed with AUTH_JWT_SECRET or, outside
production with no key configured, with the development secret in DATA_DIR (the one
the service uses). --expires takes 90s, 15m, 1h or 30d (default 1h). School tokens
need at least one --school.`;

class UsageError extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      school: { type: 'string', multiple: true },
      expires: { type: 'string', default: '1h' },
      subject: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const role = values.role;
  if (role !== 'admin' && role !== 'school') throw new UsageError('--role must be admin or school');
  const schoolIds = (values.school ?? []).map((id) => id.toLowerCase());
  if (role === 'school' && (schoolIds.length === 0 || schoolIds.length > MAX_TOKEN_SCHOOLS)) {
    throw new UsageError(`a school token needs 1 to ${MAX_TOKEN_SCHOOLS} --school ids`);
  }
  if (role === 'admin' && schoolIds.length > 0) throw new UsageError('an admin token takes no --school (it may act on every school)');
  const bad = schoolIds.find((id) => !isUuid(id));
  if (bad !== undefined) throw new UsageError(`--school ${bad} is not a UUID`);
  const expiresInSeconds = parseLifetime(values.expires);
  if (expiresInSeconds === null) throw new UsageError('--expires takes a lifetime such as 90s, 15m, 1h or 30d');

  const config = loadConfig();
  if (config.AUTH_JWKS_FILE !== undefined || config.AUTH_JWKS_URL !== undefined) {
    throw new UsageError('the service checks tokens against a JWKS: mint them with the identity provider that holds its private keys');
  }
  let secret = config.AUTH_JWT_SECRET;
  if (secret === undefined) {
    if (isProduction(config)) throw new UsageError('NODE_ENV=production: set AUTH_JWT_SECRET');
    secret = (await ensureDevelopmentSecret(config.DATA_DIR)).secret;
  }
  const subject = values.subject ?? (role === 'admin' ? 'admin' : `school:${schoolIds[0]}${schoolIds.length > 1 ? `+${schoolIds.length - 1}` : ''}`);
  const token = await issueToken(secret, {
    role,
    schoolIds,
    subject,
    expiresInSeconds,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
