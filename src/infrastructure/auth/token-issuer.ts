import { SignJWT } from 'jose';
import { SECRET_ALGORITHMS } from './jose-token-verifier.js';

export interface TokenRequest {
  readonly role: 'admin' | 'school';
  /** School tokens: the schools the holder may act on. */
  readonly schoolIds?: readonly string[];
  /** `sub`: who holds the token (rate limits are per subject). */
  readonly subject: string;
  /** Lifetime in seconds. */
  readonly expiresInSeconds: number;
  readonly issuer: string;
  readonly audience: string;
}

/** Mints an HS256 token the service accepts (npm run token, the development token at start, tests). */
export function issueToken(secret: string, request: TokenRequest, now = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const claims = request.role === 'school' ? { role: request.role, school_ids: [...(request.schoolIds ?? [])] } : { role: request.role };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: SECRET_ALGORITHMS[0], typ: 'JWT' })
    .setSubject(request.subject)
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + request.expiresInSeconds)
    .sign(new TextEncoder().encode(secret));
}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90s`, `15m`, `1h`, `30d` → seconds; null when not of that form or not positive. */
export function parseLifetime(text: string): number | null {
  const match = /^(\d{1,7})([smhd])$/.exec(text.trim());
  if (!match) return null;
  const seconds = Number(match[1]) * UNITS[match[2]!]!;
  return seconds > 0 ? seconds : null;
}
