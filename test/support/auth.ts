import type { Interceptor } from '@connectrpc/connect';
import * as grpc from '@grpc/grpc-js';
import { issueToken } from '../../src/infrastructure/auth/token-issuer.js';

/**
 * Tokens for tests: services started by the harnesses check HS256 tokens
 * signed with this secret (AUTH_JWT_SECRET), with the default issuer and
 * audience, as production would with its own secret.
 */
export const TEST_JWT_SECRET = 'test-secret-of-the-billing-test-suite-0123456789';
export const TEST_ISSUER = 'school-billing';
export const TEST_AUDIENCE = 'school-billing';

/** The environment that makes a service accept test tokens. */
export const TEST_AUTH_ENV = { AUTH_JWT_SECRET: TEST_JWT_SECRET } as const;

export interface TestTokenOptions {
  readonly role?: 'admin' | 'school';
  readonly schoolIds?: readonly string[];
  readonly subject?: string;
  readonly expiresInSeconds?: number;
  readonly secret?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Signing time (default now). */
  readonly now?: Date;
}

export function testToken(options: TestTokenOptions = {}): Promise<string> {
  const role = options.role ?? 'admin';
  return issueToken(
    options.secret ?? TEST_JWT_SECRET,
    {
      role,
      schoolIds: options.schoolIds ?? [],
      subject: options.subject ?? (role === 'admin' ? 'test-admin' : `test-school:${(options.schoolIds ?? []).join('+')}`),
      expiresInSeconds: options.expiresInSeconds ?? 3600,
      issuer: options.issuer ?? TEST_ISSUER,
      audience: options.audience ?? TEST_AUDIENCE,
    },
    options.now,
  );
}

/** An admin token valid for a day: what the harnesses' clients send. */
export const adminToken = (): Promise<string> => testToken({ role: 'admin', expiresInSeconds: 86_400 });

/** A Connect client interceptor that sends `authorization: Bearer <token>` (a null token sends nothing). */
export function bearer(token: string | null): Interceptor {
  return (next) => (request) => {
    if (token !== null) request.header.set('authorization', `Bearer ${token}`);
    return next(request);
  };
}

/** grpc-js metadata carrying the token, for raw calls. */
export function bearerMetadata(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}
