import type { HarnessFactory } from './harness.js';
import { invoiceRepositoryContract } from './invoice-repository.contract.js';
import { paymentRepositoryContract } from './payment-repository.contract.js';
import { schoolRepositoryContract } from './school-repository.contract.js';
import { statementReaderContract } from './statement-reader.contract.js';
import { studentRepositoryContract } from './student-repository.contract.js';
import { unitOfWorkContract } from './unit-of-work.contract.js';

/** Every contract suite, against one kind of adapter. */
export function allContracts(factory: HarnessFactory): void {
  schoolRepositoryContract(factory);
  studentRepositoryContract(factory);
  invoiceRepositoryContract(factory);
  paymentRepositoryContract(factory);
  unitOfWorkContract(factory);
  statementReaderContract(factory);
}
