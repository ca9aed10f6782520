/** New UUIDs for rows this service creates. */
export interface IdGenerator {
  newId(): string;
}
