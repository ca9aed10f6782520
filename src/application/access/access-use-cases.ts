import type { Authenticate } from './authenticate.js';
import type { Authorize } from './authorize.js';

/** Who is calling, and may they: what the transport runs before every billing call. */
export interface AccessUseCases {
  readonly authenticate: Authenticate;
  readonly authorize: Authorize;
}
