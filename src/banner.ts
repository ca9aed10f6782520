/**
 * What `npm start` prints once the service serves: where it listens, what it
 * runs on, how callers authenticate, and commands to try that work as printed
 * (a test runs them).
 */
export interface BannerFacts {
  readonly grpcHost: string;
  readonly grpcPort: number;
  readonly connectHost?: string;
  readonly connectPort?: number;
  readonly metricsHost?: string;
  readonly metricsPort?: number;
  readonly database: string;
  readonly cache: string;
  /** Whether the gRPC port speaks TLS, and whether it requires client certificates. */
  readonly transport?: 'plaintext' | 'tls' | 'mtls';
  /** How tokens are checked; "OFF …" when authentication is off. */
  readonly authentication?: string;
  /** A development admin token to print (and use in the examples). */
  readonly developmentToken?: string;
}

/** A wildcard bind address is reached as localhost; a specific one as itself. */
export function reachableHost(bind: string): string {
  if (bind === '0.0.0.0' || bind === '::' || bind === '[::]') return 'localhost';
  return bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind;
}

const TRANSPORT_NAMES = { plaintext: 'plaintext', tls: 'TLS', mtls: 'mutual TLS' } as const;

export function banner(facts: BannerFacts): string {
  const transport = facts.transport ?? 'plaintext';
  const tls = transport !== 'plaintext';
  const grpc = `${tls ? 'https' : 'http'}://${reachableHost(facts.grpcHost)}:${facts.grpcPort}`;
  const authenticated = facts.authentication !== undefined && !facts.authentication.startsWith('OFF');
  // Double quotes: the $TOKEN placeholder expands in the caller's shell.
  const auth = authenticated ? ` -H "Authorization: Bearer ${facts.developmentToken ?? '$TOKEN'}"` : '';
  // buf curl needs the CA (and, for mutual TLS, a client certificate) on a TLS port.
  const bufCurl = [
    'npx buf curl --protocol grpc',
    tls ? '--cacert ca.pem' : '--http2-prior-knowledge',
    ...(transport === 'mtls' ? ['--cert client.pem --key client-key.pem'] : []),
  ].join(' ');
  const lines = ['', `  School billing gRPC service on ${grpc} (reflection on, ${TRANSPORT_NAMES[transport]})`];
  let connect: string | undefined;
  if (facts.connectPort !== undefined) {
    connect = `http://${reachableHost(facts.connectHost ?? '0.0.0.0')}:${facts.connectPort}`;
    lines.push(`  Connect, gRPC-Web and JSON on ${connect}`);
  }
  let metrics: string | undefined;
  if (facts.metricsPort !== undefined) {
    metrics = `http://${reachableHost(facts.metricsHost ?? '0.0.0.0')}:${facts.metricsPort}/metrics`;
    lines.push(`  Prometheus metrics on ${metrics}`);
  }
  lines.push(`  database: ${facts.database}`, `  statement cache: ${facts.cache}`);
  if (facts.authentication !== undefined) lines.push(`  authentication: ${facts.authentication}`);
  if (facts.developmentToken) {
    lines.push(
      '',
      '  WARNING: no token keys are configured; this service signs and accepts tokens with a development',
      '  secret (never in production: set AUTH_JWT_SECRET, AUTH_JWKS_FILE or AUTH_JWKS_URL). An admin token',
      '  for the next 24 hours (more with `npm run token -- --role admin`):',
      '',
      `    TOKEN=${facts.developmentToken}`,
    );
  }
  lines.push(
    '',
    '  Try:',
    `    ${bufCurl} --list-methods ${grpc}`,
    `    ${bufCurl}${auth} -d '{"name":"North High","currencyCode":"USD","timezone":"America/New_York"}' ${grpc}/billing.v1.SchoolService/CreateSchool`,
    `    ${bufCurl}${auth} -d '{"pageSize":5}' ${grpc}/billing.v1.SchoolService/ListSchools`,
  );
  if (connect) {
    lines.push(`    curl -sS -H 'Content-Type: application/json'${auth} -d '{"pageSize":5}' ${connect}/billing.v1.SchoolService/ListSchools`);
  }
  if (metrics) lines.push(`    curl -sS ${metrics} | grep grpc_server_handled_total`);
  lines.push('');
  return lines.join('\n');
}
