import { DataTypes, type Sequelize } from 'sequelize';

/** `students`: the Sequelize view of the table created by migration 0001 (never synced). */
export function defineStudentModel(sequelize: Sequelize) {
  return sequelize.define(
    'Student',
    {
      id: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
      schoolId: { type: DataTypes.UUID, allowNull: false, field: 'school_id' },
      firstName: { type: DataTypes.TEXT, allowNull: false, field: 'first_name' },
      lastName: { type: DataTypes.TEXT, allowNull: false, field: 'last_name' },
      email: { type: DataTypes.TEXT, allowNull: true },
      externalRef: { type: DataTypes.TEXT, allowNull: true, field: 'external_ref' },
      status: { type: DataTypes.TEXT, allowNull: false },
      dataVersion: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0, field: 'data_version' },
      createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'updated_at' },
    },
    { tableName: 'students', timestamps: false, underscored: true },
  );
}
