import { fakeBilling } from '../fakes/fake-billing.js';
import { allContracts } from './all.js';

describe('in-memory fakes', () => {
  allContracts(async () => {
    const fake = fakeBilling();
    return {
      repositories: { schools: fake.schools, students: fake.students, invoices: fake.invoices, payments: fake.payments },
      uow: fake.uow,
      reader: fake.reader,
      close: async () => undefined,
    };
  });
});
