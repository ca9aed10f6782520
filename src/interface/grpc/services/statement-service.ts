import type { ServiceImpl } from '@connectrpc/connect';
import type { BillingUseCases } from '../../../application/use-cases.js';
import { StatementService } from '../../../gen/billing/v1/statement_pb.js';
import { schoolStatementMessage, studentStatementMessage } from '../messages.js';
import { page, requiredId } from '../requests.js';

/** Response header (initial metadata) saying how the statement was served: hit, miss or bypass. */
export const CACHE_STATUS_HEADER = 'x-cache-status';

export function statementService(useCases: BillingUseCases): ServiceImpl<typeof StatementService> {
  return {
    async getStudentStatement(request, context) {
      const read = await useCases.getStudentStatement.execute(requiredId(request.studentId, 'student_id'));
      context.responseHeader.set(CACHE_STATUS_HEADER, read.status);
      return { statement: studentStatementMessage(read.value) };
    },

    async getSchoolStatement(request, context) {
      const read = await useCases.getSchoolStatement.execute(requiredId(request.schoolId, 'school_id'), page(request.pageSize, request.pageToken));
      context.responseHeader.set(CACHE_STATUS_HEADER, read.status);
      return { statement: schoolStatementMessage(read.value), nextPageToken: read.value.nextPageToken ?? '' };
    },
  };
}
