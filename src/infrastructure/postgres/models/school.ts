import { DataTypes, type Sequelize } from 'sequelize';

/** `schools`: the Sequelize view of the table created by migration 0001 (never synced). */
export function defineSchoolModel(sequelize: Sequelize) {
  return sequelize.define(
    'School',
    {
      id: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      currencyCode: { type: DataTypes.TEXT, allowNull: false, field: 'currency_code' },
      timezone: { type: DataTypes.TEXT, allowNull: false },
      invoiceSequence: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0, field: 'invoice_sequence' },
      dataVersion: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0, field: 'data_version' },
      createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'updated_at' },
    },
    { tableName: 'schools', timestamps: false, underscored: true },
  );
}
