import { ContainerModule } from 'inversify';
import { CreateInvoice } from '../application/invoice/create-invoice.js';
import { GetInvoice } from '../application/invoice/get-invoice.js';
import { ListInvoices } from '../application/invoice/list-invoices.js';
import { UpdateInvoice } from '../application/invoice/update-invoice.js';
import { VoidInvoice } from '../application/invoice/void-invoice.js';
import { CreatePayment } from '../application/payment/create-payment.js';
import { GetPayment } from '../application/payment/get-payment.js';
import { ListPayments } from '../application/payment/list-payments.js';
import { ReversePayment } from '../application/payment/reverse-payment.js';
import type { Clock } from '../application/ports/clock.js';
import type { IdGenerator } from '../application/ports/id-generator.js';
import type { StatementReader } from '../application/ports/statement-reader.js';
import type { Repositories, UnitOfWork } from '../application/ports/unit-of-work.js';
import { CreateSchool } from '../application/school/create-school.js';
import { DeleteSchool } from '../application/school/delete-school.js';
import { GetSchool } from '../application/school/get-school.js';
import { ListSchools } from '../application/school/list-schools.js';
import { UpdateSchool } from '../application/school/update-school.js';
import { GetSchoolStatement } from '../application/statement/get-school-statement.js';
import { GetStudentStatement } from '../application/statement/get-student-statement.js';
import { CreateStudent } from '../application/student/create-student.js';
import { DeleteStudent } from '../application/student/delete-student.js';
import { GetStudent } from '../application/student/get-student.js';
import { ListStudents } from '../application/student/list-students.js';
import { UpdateStudent } from '../application/student/update-student.js';
import type { BillingUseCases } from '../application/use-cases.js';
import { TOKENS } from './tokens.js';

/** The use cases over whatever adapters the other modules bind to the ports. */
export function buildUseCases(
  uow: UnitOfWork,
  { schools, students, invoices, payments }: Repositories,
  reader: StatementReader,
  clock: Clock,
  ids: IdGenerator,
): BillingUseCases {
  return {
    createSchool: new CreateSchool(schools, clock, ids),
    getSchool: new GetSchool(schools),
    listSchools: new ListSchools(schools),
    updateSchool: new UpdateSchool(uow, clock),
    deleteSchool: new DeleteSchool(uow),
    createStudent: new CreateStudent(schools, students, clock, ids),
    getStudent: new GetStudent(students),
    listStudents: new ListStudents(schools, students),
    updateStudent: new UpdateStudent(uow, clock),
    deleteStudent: new DeleteStudent(uow),
    createInvoice: new CreateInvoice(uow, clock, ids),
    getInvoice: new GetInvoice(invoices, schools, clock),
    listInvoices: new ListInvoices(invoices, schools, students, clock),
    updateInvoice: new UpdateInvoice(uow, clock, ids),
    voidInvoice: new VoidInvoice(uow, clock, ids),
    createPayment: new CreatePayment(uow, clock, ids),
    getPayment: new GetPayment(payments),
    listPayments: new ListPayments(payments, schools, students),
    reversePayment: new ReversePayment(uow, clock, ids),
    getStudentStatement: new GetStudentStatement(reader, clock),
    getSchoolStatement: new GetSchoolStatement(reader, clock),
  };
}

export const applicationModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.useCases)
    .toResolvedValue(buildUseCases, [TOKENS.unitOfWork, TOKENS.repositories, TOKENS.statementReader, TOKENS.clock, TOKENS.ids])
    .inSingletonScope();
});
