/** The server's notion of now; "today" for a school is derived from it in the school's timezone. */
export interface Clock {
  now(): Date;
}
