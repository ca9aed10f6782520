import { DataTypes, type Sequelize } from 'sequelize';

/** `payments`: the Sequelize view of the table created by migration 0001 (never synced). Money is BIGINT. */
export function definePaymentModel(sequelize: Sequelize) {
  return sequelize.define(
    'Payment',
    {
      id: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
      schoolId: { type: DataTypes.UUID, allowNull: false, field: 'school_id' },
      studentId: { type: DataTypes.UUID, allowNull: false, field: 'student_id' },
      amountMinor: { type: DataTypes.BIGINT, allowNull: false, field: 'amount_minor' },
      appliedMinor: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0, field: 'applied_minor' },
      paidAt: { type: DataTypes.DATE(3), allowNull: false, field: 'paid_at' },
      method: { type: DataTypes.TEXT, allowNull: false },
      reference: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      status: { type: DataTypes.TEXT, allowNull: false },
      idempotencyKey: { type: DataTypes.TEXT, allowNull: true, field: 'idempotency_key' },
      requestFingerprint: { type: DataTypes.TEXT, allowNull: true, field: 'request_fingerprint' },
      createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'updated_at' },
      reversedAt: { type: DataTypes.DATE(3), allowNull: true, field: 'reversed_at' },
    },
    { tableName: 'payments', timestamps: false, underscored: true },
  );
}
