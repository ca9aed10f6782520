import { issueToken } from '../src/infrastructure/auth/token-issuer.js';

/** The bench's callers: an administrator, and the staff of `schoolId` (authorized by the student's school). */
export async function benchTokens(secret: string, schoolId: string): Promise<{ admin: string; school: string }> {
  const common = { expiresInSeconds: 6 * 3600, issuer: 'school-billing', audience: 'school-billing' };
  return {
    admin: await issueToken(secret, { role: 'admin', subject: 'bench', ...common }),
    school: await issueToken(secret, { role: 'school', schoolIds: [schoolId], subject: 'bench-school', ...common }),
  };
}
