import { create } from '@bufbuild/protobuf';
import { expect } from 'chai';
import { isOwnedTarget } from '../../../src/domain/access.js';
import { DomainError } from '../../../src/domain/errors.js';
import { ACCESS_RULES, accessRuleFor, methodsWithoutRule } from '../../../src/interface/grpc/access-rules.js';
import { billingServices } from '../../../src/interface/grpc/services/index.js';
import { billingV1Services } from '../../support/billing-descriptors.js';

const ID = '0198a8e2-7c1b-7000-8000-000000000001';
const OTHER = '0198a8e2-7c1b-7000-8000-000000000002';

/** A request with every id field (top level) filled, so each rule sees what it reads. */
function fullRequest(input: Parameters<typeof create>[0]) {
  const init: Record<string, unknown> = {};
  for (const field of input.fields) {
    if (field.fieldKind === 'scalar' && field.scalar === 9 /* string */ && /(^|_)id$/.test(field.name)) init[field.localName] = field.name === 'id' ? ID : OTHER;
  }
  return create(input, init);
}

describe('access rules (one per RPC)', () => {
  it('cover every method of every billing.v1 service, and every served service', async () => {
    const services = await billingV1Services();
    const methods = services.flatMap((service) => service.methods.map((method) => `${service.typeName}/${method.name}`));

    expect(methodsWithoutRule(services)).to.deep.equal([]);
    expect([...ACCESS_RULES.keys()].sort()).to.deep.equal(services.map((service) => service.typeName).sort());
    const served = billingServices({} as never).map((binding) => binding.service.typeName);
    expect(served.sort()).to.deep.equal(services.map((service) => service.typeName).sort());
    for (const [typeName, rules] of ACCESS_RULES) {
      const service = services.find((candidate) => candidate.typeName === typeName)!;
      expect(Object.keys(rules).sort(), typeName).to.deep.equal(service.methods.map((method) => method.localName).sort());
    }
    console.log(`      ${methods.length} RPCs in ${services.length} services, each with an access rule`);
  });

  it('name at most one resource to look up, and validate the ids they read', async () => {
    for (const service of await billingV1Services()) {
      for (const method of service.methods) {
        const rule = accessRuleFor(service, method)!;
        const targets = rule(fullRequest(method.input) as never);
        expect(targets.filter(isOwnedTarget), `${method.name} lookups`).to.have.length.at.most(1);
        expect(targets, method.name).to.not.be.empty;
        if (targets.some((target) => 'id' in target)) {
          const broken = create(method.input, Object.fromEntries(method.input.fields.filter((f) => /(^|_)id$/.test(f.name) && f.fieldKind === 'scalar').map((f) => [f.localName, 'not-a-uuid'])));
          expect(() => rule(broken as never), method.name).to.throw(DomainError, /UUID/);
        }
      }
    }
  });

  it('keep administration to admins', async () => {
    const adminOnly: string[] = [];
    for (const service of await billingV1Services()) {
      for (const method of service.methods) {
        if (accessRuleFor(service, method)!(fullRequest(method.input) as never).some((target) => target.kind === 'admin')) adminOnly.push(method.name);
      }
    }
    expect(adminOnly.sort()).to.deep.equal(['CreateSchool', 'DeleteSchool', 'GetCacheStats', 'InvalidateStatements', 'WarmStatements']);
  });
});
