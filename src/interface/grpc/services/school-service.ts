import type { ServiceImpl } from '@connectrpc/connect';
import type { BillingUseCases } from '../../../application/use-cases.js';
import { SchoolService } from '../../../gen/billing/v1/school_pb.js';
import { visibleSchools } from '../../../domain/access.js';
import { actorOf } from '../call-context.js';
import { schoolMessage } from '../messages.js';
import { page, requiredId } from '../requests.js';

export function schoolService(useCases: BillingUseCases): ServiceImpl<typeof SchoolService> {
  return {
    async createSchool(request) {
      const school = await useCases.createSchool.execute({
        name: request.name,
        currencyCode: request.currencyCode,
        timezone: request.timezone,
      });
      return { school: schoolMessage(school) };
    },

    async getSchool(request) {
      return { school: schoolMessage(await useCases.getSchool.execute(requiredId(request.id, 'id'))) };
    },

    async listSchools(request, context) {
      // A school caller sees only its own schools.
      const found = await useCases.listSchools.execute(page(request.pageSize, request.pageToken), visibleSchools(actorOf(context)));
      return { schools: found.items.map(schoolMessage), nextPageToken: found.nextToken ?? '' };
    },

    async updateSchool(request) {
      const school = await useCases.updateSchool.execute({
        id: requiredId(request.id, 'id'),
        name: request.name,
        timezone: request.timezone,
      });
      return { school: schoolMessage(school) };
    },

    async deleteSchool(request) {
      return { school: schoolMessage(await useCases.deleteSchool.execute(requiredId(request.id, 'id'))) };
    },
  };
}
