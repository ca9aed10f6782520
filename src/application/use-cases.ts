import type { CreateInvoice } from './invoice/create-invoice.js';
import type { GetInvoice } from './invoice/get-invoice.js';
import type { ListInvoices } from './invoice/list-invoices.js';
import type { UpdateInvoice } from './invoice/update-invoice.js';
import type { VoidInvoice } from './invoice/void-invoice.js';
import type { CreatePayment } from './payment/create-payment.js';
import type { GetPayment } from './payment/get-payment.js';
import type { ListPayments } from './payment/list-payments.js';
import type { ReversePayment } from './payment/reverse-payment.js';
import type { CreateSchool } from './school/create-school.js';
import type { DeleteSchool } from './school/delete-school.js';
import type { GetSchool } from './school/get-school.js';
import type { ListSchools } from './school/list-schools.js';
import type { UpdateSchool } from './school/update-school.js';
import type { GetSchoolStatement } from './statement/get-school-statement.js';
import type { GetStudentStatement } from './statement/get-student-statement.js';
import type { CreateStudent } from './student/create-student.js';
import type { DeleteStudent } from './student/delete-student.js';
import type { GetStudent } from './student/get-student.js';
import type { ListStudents } from './student/list-students.js';
import type { UpdateStudent } from './student/update-student.js';

/** Everything the service can do; the transport calls only these. */
export interface BillingUseCases {
  readonly createSchool: CreateSchool;
  readonly getSchool: GetSchool;
  readonly listSchools: ListSchools;
  readonly updateSchool: UpdateSchool;
  readonly deleteSchool: DeleteSchool;
  readonly createStudent: CreateStudent;
  readonly getStudent: GetStudent;
  readonly listStudents: ListStudents;
  readonly updateStudent: UpdateStudent;
  readonly deleteStudent: DeleteStudent;
  readonly createInvoice: CreateInvoice;
  readonly getInvoice: GetInvoice;
  readonly listInvoices: ListInvoices;
  readonly updateInvoice: UpdateInvoice;
  readonly voidInvoice: VoidInvoice;
  readonly createPayment: CreatePayment;
  readonly getPayment: GetPayment;
  readonly listPayments: ListPayments;
  readonly reversePayment: ReversePayment;
  readonly getStudentStatement: GetStudentStatement;
  readonly getSchoolStatement: GetSchoolStatement;
}
