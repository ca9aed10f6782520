import { DataTypes, type Sequelize } from 'sequelize';

/** `allocations`: the Sequelize view of the table created by migration 0001 (never synced). */
export function defineAllocationModel(sequelize: Sequelize) {
  return sequelize.define(
    'Allocation',
    {
      id: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
      paymentId: { type: DataTypes.UUID, allowNull: false, field: 'payment_id' },
      invoiceId: { type: DataTypes.UUID, allowNull: false, field: 'invoice_id' },
      studentId: { type: DataTypes.UUID, allowNull: false, field: 'student_id' },
      schoolId: { type: DataTypes.UUID, allowNull: false, field: 'school_id' },
      amountMinor: { type: DataTypes.BIGINT, allowNull: false, field: 'amount_minor' },
      createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
      releasedAt: { type: DataTypes.DATE(3), allowNull: true, field: 'released_at' },
    },
    { tableName: 'allocations', timestamps: false, underscored: true },
  );
}
