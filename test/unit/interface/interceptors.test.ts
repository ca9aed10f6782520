import { createHandlerContext } from '@connectrpc/connect';
import { expect } from 'chai';
import { SchoolService } from '../../../src/gen/billing/v1/school_pb.js';
import { type UnaryInterceptor, intercept } from '../../../src/interface/grpc/interceptors.js';

describe('unary interceptors', () => {
  const method = SchoolService.method.getSchool;
  const context = () => createHandlerContext({ service: SchoolService, method, protocolName: 'grpc', requestMethod: 'POST', url: '/x' });
  type GetSchool = (request: { id: string }, context: unknown) => Promise<unknown>;
  const handler: { getSchool: GetSchool } = {
    async getSchool(request) {
      return { school: { id: request.id, name: 'handled' } };
    },
  };

  it('run around the handler, first one outermost, and see the method and request', async () => {
    const seen: string[] = [];
    const tag =
      (name: string): UnaryInterceptor =>
      async (call, next) => {
        seen.push(`${name}>${call.method.name}(${(call.request as { id: string }).id})`);
        const result = await next();
        seen.push(`<${name}`);
        return result;
      };
    const impl = intercept(SchoolService, handler as never, [tag('a'), tag('b')]) as unknown as typeof handler;

    const result = await impl.getSchool({ id: 's1' }, context() as never);

    expect(result).to.deep.equal({ school: { id: 's1', name: 'handled' } });
    expect(seen).to.deep.equal(['a>GetSchool(s1)', 'b>GetSchool(s1)', '<b', '<a']);
  });

  it('may answer instead of the handler by throwing', async () => {
    let handled = false;
    const deny: UnaryInterceptor = async () => {
      throw new Error('denied');
    };
    const impl = intercept(SchoolService, { getSchool: async () => ((handled = true), {}) } as never, [deny]) as unknown as typeof handler;

    const outcome = await impl.getSchool({ id: 's1' }, context() as never).catch((error: Error) => error.message);

    expect([outcome, handled]).to.deep.equal(['denied', false]);
  });
});
