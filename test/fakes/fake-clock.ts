import type { Clock } from '../../src/application/ports/clock.js';

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  private current: Date;

  constructor(start: string | Date = '2026-03-10T12:00:00Z') {
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(instant: string | Date): void {
    this.current = new Date(instant);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }

  advanceDays(days: number): void {
    this.advance(days * 86_400_000);
  }
}
