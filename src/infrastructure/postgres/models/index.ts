import type { Sequelize } from 'sequelize';
import { defineAllocationModel } from './allocation.js';
import { defineInvoiceModel } from './invoice.js';
import { definePaymentModel } from './payment.js';
import { defineSchoolModel } from './school.js';
import { defineStudentModel } from './student.js';

export type BillingModels = ReturnType<typeof defineModels>;

const defined = new WeakMap<Sequelize, ReturnType<typeof defineAll>>();

function defineAll(sequelize: Sequelize) {
  return {
    School: defineSchoolModel(sequelize),
    Student: defineStudentModel(sequelize),
    Invoice: defineInvoiceModel(sequelize),
    Payment: definePaymentModel(sequelize),
    Allocation: defineAllocationModel(sequelize),
  };
}

/**
 * The models of one Sequelize instance, defined once. The schema belongs to the
 * migrations; these only describe it (no `sync()`, no associations), for the
 * simple single-row writes that the repositories do through the ORM.
 */
export function defineModels(sequelize: Sequelize) {
  let models = defined.get(sequelize);
  if (!models) {
    models = defineAll(sequelize);
    defined.set(sequelize, models);
  }
  return models;
}
