import type { ServiceImpl } from '@connectrpc/connect';
import type { BillingUseCases } from '../../../application/use-cases.js';
import { StatementService } from '../../../gen/billing/v1/statement_pb.js';
import { schoolStatementMessage, studentStatementMessage } from '../messages.js';
import { page, requiredId } from '../requests.js';

export function statementService(useCases: BillingUseCases): ServiceImpl<typeof StatementService> {
  return {
    async getStudentStatement(request) {
      const statement = await useCases.getStudentStatement.execute(requiredId(request.studentId, 'student_id'));
      return { statement: studentStatementMessage(statement) };
    },

    async getSchoolStatement(request) {
      const statement = await useCases.getSchoolStatement.execute(
        requiredId(request.schoolId, 'school_id'),
        page(request.pageSize, request.pageToken),
      );
      return { statement: schoolStatementMessage(statement), nextPageToken: statement.nextPageToken ?? '' };
    },
  };
}
