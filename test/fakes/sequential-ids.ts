import type { IdGenerator } from '../../src/application/ports/id-generator.js';

/** Deterministic, increasing UUIDs: ...-000000000001, ...-000000000002. */
export class SequentialIds implements IdGenerator {
  private next = 1;

  constructor(private readonly prefix = '00000000-0000-4000-8000') {}

  newId(): string {
    return `${this.prefix}-${(this.next++).toString(16).padStart(12, '0')}`;
  }
}
