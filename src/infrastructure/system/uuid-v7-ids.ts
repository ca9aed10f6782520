import { v7 } from 'uuid';
import type { IdGenerator } from '../../application/ports/id-generator.js';

/**
 * Time-ordered UUIDs (RFC 9562 v7): new rows land at the end of primary-key
 * indexes instead of at random pages, and id order is creation order.
 */
export class UuidV7Ids implements IdGenerator {
  newId(): string {
    return v7();
  }
}
