import { Code, ConnectError, createHandlerContext } from '@connectrpc/connect';
import { expect } from 'chai';
import { DomainError } from '../../../src/domain/errors.js';
import { SchoolService } from '../../../src/gen/billing/v1/school_pb.js';
import type { UnaryCall } from '../../../src/interface/grpc/interceptors.js';
import { codeName, metricsInterceptor, requestIdOf, requestLogInterceptor, statusCodeOf } from '../../../src/interface/grpc/observability.js';

const method = SchoolService.method.getSchool;
const callWith = (headers: Record<string, string> = {}): UnaryCall => ({
  service: SchoolService,
  method,
  request: {},
  context: createHandlerContext({ service: SchoolService, method, protocolName: 'connect', requestMethod: 'POST', url: '/x', requestHeader: headers }),
});

describe('observability interceptors', () => {
  it('read the status a thrown value becomes, without answering it', () => {
    expect(statusCodeOf(new ConnectError('x', Code.DeadlineExceeded))).to.equal(Code.DeadlineExceeded);
    expect(statusCodeOf(new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'id'))).to.equal(Code.NotFound);
    expect(statusCodeOf(new TypeError('bug'))).to.equal(Code.Internal);
    expect([codeName(0), codeName(Code.InvalidArgument), codeName(Code.Unavailable)]).to.deep.equal(['OK', 'InvalidArgument', 'Unavailable']);
  });

  it('keep a usable caller request id and replace anything else', () => {
    expect(requestIdOf(callWith({ 'x-request-id': 'abc-123' }))).to.equal('abc-123');
    expect(requestIdOf(callWith())).to.match(/^[0-9a-f-]{36}$/);
    for (const bad of ['has space', 'x'.repeat(129), 'caf\u00e9']) {
      expect(requestIdOf(callWith({ 'x-request-id': bad })), bad).to.match(/^[0-9a-f-]{36}$/);
    }
  });

  it('log and count a failure with its code, and rethrow it unchanged', async () => {
    const lines: { level: string; fields: Record<string, unknown> }[] = [];
    const logger = {
      info: (fields: object) => lines.push({ level: 'info', fields: fields as Record<string, unknown> }),
      warn: (fields: object) => lines.push({ level: 'warn', fields: fields as Record<string, unknown> }),
      error: (fields: object) => lines.push({ level: 'error', fields: fields as Record<string, unknown> }),
    };
    const handled: string[] = [];
    const metrics = { started: () => undefined, handled: (_s: string, m: string, code: string) => handled.push(`${m} ${code}`) };
    const failure = new Error('bug');
    const call = callWith();

    const thrown = await requestLogInterceptor(logger)(call, () => metricsInterceptor(metrics)(call, () => Promise.reject(failure))).catch((e: unknown) => e);

    expect(thrown).to.equal(failure);
    expect(handled).to.deep.equal(['GetSchool Internal']);
    expect(lines).to.have.length(1);
    expect(lines[0]!.level).to.equal('error');
    expect(lines[0]!.fields).to.include({ method: 'GetSchool', code: 'Internal', protocol: 'connect' });
    expect(call.context.responseHeader.get('x-request-id')).to.equal(lines[0]!.fields.requestId);
  });
});
