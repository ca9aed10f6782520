import type { ServiceImpl } from '@connectrpc/connect';
import type { BillingUseCases } from '../../../application/use-cases.js';
import { StudentService } from '../../../gen/billing/v1/student_pb.js';
import { visibleSchools } from '../../../domain/access.js';
import { actorOf } from '../call-context.js';
import { studentStatuses } from '../enums.js';
import { studentMessage } from '../messages.js';
import { changedId, page, requiredId } from '../requests.js';

export function studentService(useCases: BillingUseCases): ServiceImpl<typeof StudentService> {
  return {
    async createStudent(request) {
      const student = await useCases.createStudent.execute({
        schoolId: requiredId(request.schoolId, 'school_id'),
        firstName: request.firstName,
        lastName: request.lastName,
        email: request.email,
        externalRef: request.externalRef,
        // Unspecified means ACTIVE.
        status: studentStatuses.fromProto(request.status, 'status') ?? 'ACTIVE',
      });
      return { student: studentMessage(student) };
    },

    async getStudent(request) {
      return { student: studentMessage(await useCases.getStudent.execute(requiredId(request.id, 'id'))) };
    },

    async listStudents(request) {
      const found = await useCases.listStudents.execute(
        { schoolId: requiredId(request.schoolId, 'school_id'), status: studentStatuses.fromProto(request.status, 'status') },
        page(request.pageSize, request.pageToken),
      );
      return { students: found.items.map(studentMessage), nextPageToken: found.nextToken ?? '' };
    },

    async updateStudent(request, context) {
      const student = await useCases.updateStudent.execute({
        id: requiredId(request.id, 'id'),
        firstName: request.firstName,
        lastName: request.lastName,
        email: request.email,
        externalRef: request.externalRef,
        status: studentStatuses.optional(request.status, 'status'),
        schoolId: changedId(request.schoolId, 'school_id'),
        visibleSchools: visibleSchools(actorOf(context)),
      });
      return { student: studentMessage(student) };
    },

    async deleteStudent(request, context) {
      return { student: studentMessage(await useCases.deleteStudent.execute(requiredId(request.id, 'id'), visibleSchools(actorOf(context)))) };
    },
  };
}
