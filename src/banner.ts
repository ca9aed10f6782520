/**
 * What `npm start` prints once the service serves: where it listens, what it
 * runs on, and commands to try that work as printed (a test runs them).
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
  /** A bearer token callers need (when authentication is on); added to every example. */
  readonly token?: string;
}

/** A wildcard bind address is reached as localhost; a specific one as itself. */
export function reachableHost(bind: string): string {
  if (bind === '0.0.0.0' || bind === '::' || bind === '[::]') return 'localhost';
  return bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind;
}

export function banner(facts: BannerFacts): string {
  const grpc = `http://${reachableHost(facts.grpcHost)}:${facts.grpcPort}`;
  const auth = facts.token ? ` -H 'Authorization: Bearer ${facts.token}'` : '';
  const bufCurl = `npx buf curl --protocol grpc --http2-prior-knowledge${auth}`;
  const lines = [
    '',
    `  School billing gRPC service on ${grpc} (reflection on, plaintext)`,
  ];
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
  lines.push(`  database: ${facts.database}`, `  statement cache: ${facts.cache}`, '', '  Try:');
  lines.push(
    `    ${bufCurl} --list-methods ${grpc}`,
    `    ${bufCurl} -d '{"name":"North High","currencyCode":"USD","timezone":"America/New_York"}' ${grpc}/billing.v1.SchoolService/CreateSchool`,
    `    ${bufCurl} -d '{"pageSize":5}' ${grpc}/billing.v1.SchoolService/ListSchools`,
  );
  if (connect) {
    lines.push(`    curl -sS -H 'Content-Type: application/json'${auth} -d '{"pageSize":5}' ${connect}/billing.v1.SchoolService/ListSchools`);
  }
  if (metrics) lines.push(`    curl -sS ${metrics} | grep grpc_server_handled_total`);
  lines.push('');
  return lines.join('\n');
}
