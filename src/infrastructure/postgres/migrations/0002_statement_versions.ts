import type { QueryInterface } from 'sequelize';

/**
 * Statement versions for the cache (SPEC §5). Every write transaction bumps
 * the data version of the student and school whose statements it changes;
 * a cached statement records the version it was read at and is served only
 * while that is still the current one. The epoch invalidates every cached
 * statement at once: bump it after restoring a backup, when versions go back.
 */
const UP = `
ALTER TABLE schools  ADD COLUMN data_version bigint NOT NULL DEFAULT 0 CONSTRAINT schools_data_version_check CHECK (data_version >= 0);
ALTER TABLE students ADD COLUMN data_version bigint NOT NULL DEFAULT 0 CONSTRAINT students_data_version_check CHECK (data_version >= 0);

CREATE TABLE cache_epoch (
  id        smallint       PRIMARY KEY DEFAULT 1 CONSTRAINT cache_epoch_single_row CHECK (id = 1),
  epoch     bigint         NOT NULL DEFAULT 1,
  bumped_at timestamptz(3) NOT NULL DEFAULT now()
);
INSERT INTO cache_epoch DEFAULT VALUES;
`;

const DOWN = `
DROP TABLE cache_epoch;
ALTER TABLE students DROP COLUMN data_version;
ALTER TABLE schools  DROP COLUMN data_version;
`;

export const migration = {
  name: '0002_statement_versions',
  async up({ context }: { context: QueryInterface }): Promise<void> {
    await context.sequelize.transaction(async (transaction) => {
      await context.sequelize.query(UP, { transaction });
    });
  },
  async down({ context }: { context: QueryInterface }): Promise<void> {
    await context.sequelize.transaction(async (transaction) => {
      await context.sequelize.query(DOWN, { transaction });
    });
  },
};
