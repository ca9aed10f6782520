import { expect } from 'chai';
import { remainingMs, requireTimeLeft, runWithDeadline, runWithoutDeadline } from '../../../src/infrastructure/postgres/call-deadline.js';

describe('call deadline carried to the database adapter', () => {
  it('outside any call there is no deadline', () => {
    expect(remainingMs()).to.equal(null);
  });

  it('inside a call, what is left of its deadline; past it or cancelled, DEADLINE_EXCEEDED', async () => {
    const now = Date.now();
    await runWithDeadline({ expiresAt: now + 5_000 }, async () => {
      expect(remainingMs(now)).to.equal(5_000);
      expect(() => requireTimeLeft(6_000)).to.throw().with.property('reason', 'DEADLINE_EXCEEDED');
    });
    const cancelled = new AbortController();
    cancelled.abort();
    await runWithDeadline({ signal: cancelled.signal }, async () => {
      expect(() => remainingMs()).to.throw().with.property('reason', 'DEADLINE_EXCEEDED');
    });
  });

  it("work shared by several calls runs free of the caller's deadline, which still holds after it", async () => {
    const cancelled = new AbortController();
    cancelled.abort();
    await runWithDeadline({ expiresAt: Date.now() - 1, signal: cancelled.signal }, async () => {
      const inside = await runWithoutDeadline(async () => {
        await Promise.resolve();
        return remainingMs();
      });
      expect(inside).to.equal(null);
      expect(() => remainingMs()).to.throw().with.property('reason', 'DEADLINE_EXCEEDED');
    });
  });
});
