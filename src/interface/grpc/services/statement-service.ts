import type { ServiceImpl } from '@connectrpc/connect';
import type { BillingUseCases } from '../../../application/use-cases.js';
import type { SchoolStatement, StudentStatement } from '../../../domain/statement.js';
import {
  GetSchoolStatementResponseSchema,
  GetStudentStatementResponseSchema,
  StatementService,
} from '../../../gen/billing/v1/statement_pb.js';
import { CALL_VERSIONS } from '../call-context.js';
import { ResponseMemo } from '../encoded-responses.js';
import { schoolStatementMessage, studentStatementMessage } from '../messages.js';
import { page, requiredId } from '../requests.js';

/** Response header (initial metadata) saying how the statement was served: hit, miss or bypass. */
export const CACHE_STATUS_HEADER = 'x-cache-status';

export function statementService(useCases: BillingUseCases): ServiceImpl<typeof StatementService> {
  // A cache hit hands out the same statement object again: its response is mapped and encoded once.
  const studentResponses = new ResponseMemo<StudentStatement, typeof GetStudentStatementResponseSchema>(GetStudentStatementResponseSchema);
  const schoolResponses = new ResponseMemo<SchoolStatement, typeof GetSchoolStatementResponseSchema>(GetSchoolStatementResponseSchema);
  return {
    async getStudentStatement(request, context) {
      // Authorization may have read the student's version already (call-versions.ts).
      const read = await useCases.getStudentStatement.execute(requiredId(request.studentId, 'student_id'), context.values.get(CALL_VERSIONS));
      context.responseHeader.set(CACHE_STATUS_HEADER, read.status);
      return studentResponses.respond(read.value, (statement) => ({ statement: studentStatementMessage(statement) }));
    },

    async getSchoolStatement(request, context) {
      const read = await useCases.getSchoolStatement.execute(requiredId(request.schoolId, 'school_id'), page(request.pageSize, request.pageToken));
      context.responseHeader.set(CACHE_STATUS_HEADER, read.status);
      return schoolResponses.respond(read.value, (statement) => ({
        statement: schoolStatementMessage(statement),
        nextPageToken: statement.nextPageToken ?? '',
      }));
    },
  };
}
