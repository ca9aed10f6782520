import { DataTypes, type Sequelize } from 'sequelize';

/** `invoices`: the Sequelize view of the table created by migration 0001 (never synced). Money is BIGINT. */
export function defineInvoiceModel(sequelize: Sequelize) {
  return sequelize.define(
    'Invoice',
    {
      id: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
      schoolId: { type: DataTypes.UUID, allowNull: false, field: 'school_id' },
      studentId: { type: DataTypes.UUID, allowNull: false, field: 'student_id' },
      sequence: { type: DataTypes.BIGINT, allowNull: false },
      number: { type: DataTypes.TEXT, allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: false },
      amountMinor: { type: DataTypes.BIGINT, allowNull: false, field: 'amount_minor' },
      appliedMinor: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0, field: 'applied_minor' },
      issueDate: { type: DataTypes.DATEONLY, allowNull: false, field: 'issue_date' },
      dueDate: { type: DataTypes.DATEONLY, allowNull: false, field: 'due_date' },
      state: { type: DataTypes.TEXT, allowNull: false },
      idempotencyKey: { type: DataTypes.TEXT, allowNull: true, field: 'idempotency_key' },
      requestFingerprint: { type: DataTypes.TEXT, allowNull: true, field: 'request_fingerprint' },
      createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'updated_at' },
      voidedAt: { type: DataTypes.DATE(3), allowNull: true, field: 'voided_at' },
    },
    { tableName: 'invoices', timestamps: false, underscored: true },
  );
}
