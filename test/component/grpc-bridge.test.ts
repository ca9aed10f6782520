import { setTimeout as sleep } from 'node:timers/promises';
import { Code, ConnectError, type HandlerContext, type ServiceImpl, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { DomainError } from '../../src/domain/errors.js';
import { SchoolService } from '../../src/gen/billing/v1/school_pb.js';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { addConnectService } from '../../src/interface/grpc/grpc-bridge.js';
import { rawUnary } from '../support/grpc-raw.js';

/**
 * The bridge on its own: a hand-written SchoolService implementation that
 * exercises headers, trailers, deadlines and cancellation.
 */
describe('gRPC bridge (Connect ServiceImpl on grpc-js)', () => {
  let server: grpc.Server;
  let client: ReturnType<typeof createClient<typeof SchoolService>>;
  let seen: { context?: HandlerContext; aborted?: unknown; timeoutMs?: number | undefined };
  let released: () => void;
  let port: number;

  const impl: Partial<ServiceImpl<typeof SchoolService>> = {
    getSchool(request, context) {
      seen.context = context;
      context.responseHeader.set('x-cache-status', 'miss');
      context.responseHeader.set('x-blob-bin', Buffer.from([0, 1, 2, 255]).toString('base64'));
      context.responseTrailer.set('x-served-by', 'bridge-test');
      return { school: { id: request.id, name: context.requestHeader.get('x-request-id') ?? '' } };
    },
    async listSchools(_request, context) {
      seen.timeoutMs = context.timeoutMs();
      await new Promise<void>((resolve) => {
        context.signal.addEventListener('abort', () => resolve(), { once: true });
        released = resolve;
      });
      seen.aborted = context.signal.reason;
      return {};
    },
    createSchool(_request, context) {
      context.responseHeader.set('x-cache-status', 'bypass');
      throw new DomainError('SCHOOL_NOT_FOUND', 'school not found', 'id');
    },
    updateSchool() {
      // As if relayed from another service: its transport headers must not leak into ours.
      throw new ConnectError('try later', Code.Unavailable, { 'grpc-status': '0', 'content-type': 'text/html', 'x-retry-hint': 'soon' });
    },
    // deleteSchool left out: Connect answers UNIMPLEMENTED.
  };

  beforeEach(async () => {
    seen = {};
    server = new grpc.Server();
    addConnectService(server, SchoolService, impl as ServiceImpl<typeof SchoolService>, { reportInternalError: () => undefined });
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    client = createClient(SchoolService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
  });
  afterEach(() => server.forceShutdown());

  it('passes request metadata in, and response headers (initial metadata) and trailers out', async () => {
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const response = await client.getSchool(
      { id: 'abc' },
      { headers: { 'x-request-id': 'req-42' }, onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) },
    );
    expect(response.school).to.include({ id: 'abc', name: 'req-42' });
    expect(header?.get('x-cache-status')).to.equal('miss');
    expect(Buffer.from(header!.get('x-blob-bin')!, 'base64')).to.deep.equal(Buffer.from([0, 1, 2, 255]));
    expect(trailer?.get('x-served-by')).to.equal('bridge-test');
    expect(trailer?.get('x-cache-status')).to.equal(null);
    expect(seen.context).to.include({ protocolName: 'grpc', requestMethod: 'POST' });
    expect(seen.context!.method.name).to.equal('GetSchool');
    expect(seen.context!.service.typeName).to.equal('billing.v1.SchoolService');
    expect(seen.context!.signal.aborted, 'signal ends with the call').to.equal(true);
  });

  it('sends response headers as initial metadata with an error too, and maps the DomainError', async () => {
    const error = await client.createSchool({}).then(
      () => null,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).to.equal(Code.NotFound);
    expect(error?.findDetails(ErrorInfoSchema)[0]?.reason).to.equal('SCHOOL_NOT_FOUND');
    // Headers and trailers are merged in a ConnectError: check on the raw wire which is which.
    const { status, headers } = await rawUnary(port, '/billing.v1.SchoolService/CreateSchool', new Uint8Array());
    expect(status.code).to.equal(grpc.status.NOT_FOUND);
    expect(headers?.get('x-cache-status')).to.deep.equal(['bypass']);
    expect(status.metadata.get('x-cache-status')).to.deep.equal([]);
    expect(status.metadata.get('grpc-status-details-bin')).to.have.length(1);
  });

  it('passes ConnectErrors through with their code and metadata, but not transport-reserved names', async () => {
    const error = await client.updateSchool({ id: 'x' }).then(
      () => null,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).to.equal(Code.Unavailable);
    expect(error?.rawMessage).to.equal('try later');
    expect(error?.metadata.get('x-retry-hint')).to.equal('soon');
    expect(error?.metadata.get('content-type')).to.equal('application/grpc+proto');
  });

  it('answers UNIMPLEMENTED for a method the implementation leaves out', async () => {
    const error = await client.deleteSchool({ id: 'x' }).then(
      () => null,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).to.equal(Code.Unimplemented);
  });

  it('gives the handler the remaining time and aborts its signal at the deadline', async () => {
    const error = await client.listSchools({}, { timeoutMs: 300 }).then(
      () => null,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).to.equal(Code.DeadlineExceeded);
    await sleep(50);
    expect(seen.timeoutMs).to.be.a('number').within(1, 300);
    expect(seen.aborted).to.be.instanceOf(ConnectError);
  });

  it('aborts the handler signal when the caller cancels', async () => {
    const controller = new AbortController();
    const call = client.listSchools({}, { signal: controller.signal }).then(
      () => null,
      (e: unknown) => ConnectError.from(e),
    );
    await sleep(100);
    expect(seen.aborted).to.equal(undefined);
    controller.abort();
    expect((await call)?.code).to.equal(Code.Canceled);
    for (let i = 0; i < 50 && seen.aborted === undefined; i++) await sleep(10);
    expect(seen.aborted).to.be.instanceOf(ConnectError);
    expect((seen.aborted as ConnectError).code).to.equal(Code.Canceled);
  });

  it('completes a call whose handler finishes on its own, with no deadline', async () => {
    const call = client.listSchools({});
    await sleep(50);
    expect(seen.timeoutMs).to.equal(undefined);
    released();
    expect((await call).schools).to.deep.equal([]);
  });
});
