import { expect } from 'chai';
import { createContextValues } from '@connectrpc/connect';
import { Health } from '../../../src/gen/grpc/health/v1/health_pb.js';
import { type CallContextInit, callContext } from '../../../src/interface/grpc/call-handler-context.js';

const CANCELLED = new Error('cancelled');
const DEADLINE = new Error('deadline');

/** A transport stand-in: `cancel()` fires whatever callback is registered, as grpc-js's 'cancelled' event does. */
function transport(options: { alreadyCancelled?: boolean } = {}) {
  let registered: (() => void) | undefined;
  let unregistered = 0;
  const onCancelled: CallContextInit['onCancelled'] = (abort) => {
    if (options.alreadyCancelled) abort();
    registered = abort;
    return () => {
      registered = undefined;
      unregistered += 1;
    };
  };
  return { onCancelled, cancel: () => registered?.(), unregistered: () => unregistered, registered: () => registered !== undefined };
}

function init(overrides: Partial<CallContextInit>): CallContextInit {
  return {
    service: Health,
    method: Health.method.check,
    url: 'http://localhost/grpc.health.v1.Health/Check',
    timeoutMs: undefined,
    requestHeader: new Headers(),
    values: createContextValues(),
    shutdownSignal: undefined,
    onCancelled: () => () => undefined,
    cancelledReason: () => CANCELLED,
    deadlineReason: () => DEADLINE,
    ...overrides,
  };
}

describe('call handler context (a signal only when asked for)', () => {
  it('registers nothing with the transport for a call that never asks for its signal', () => {
    const t = transport();
    const { finish } = callContext(init({ onCancelled: t.onCancelled, timeoutMs: 1_000 }));
    finish(new Error('done'));
    expect(t.registered()).to.equal(false);
  });

  it('aborts the signal when the client cancels, and unregisters when the call finishes', () => {
    const t = transport();
    const { context, finish } = callContext(init({ onCancelled: t.onCancelled }));
    const signal = context.signal;
    expect(signal.aborted).to.equal(false);
    t.cancel();
    expect(signal.aborted).to.equal(true);
    expect(signal.reason).to.equal(CANCELLED);
    finish(new Error('done'));
    expect(t.unregistered()).to.equal(1);
  });

  it('gives an aborted signal when asked for after the client has already gone', () => {
    const t = transport({ alreadyCancelled: true });
    const { context } = callContext(init({ onCancelled: t.onCancelled }));
    expect(context.signal.aborted).to.equal(true);
    expect(context.signal.reason).to.equal(CANCELLED);
  });

  it('aborts at the deadline, counted from the start of the call, not from when the signal was asked for', async () => {
    const { context, finish } = callContext(init({ timeoutMs: 30 }));
    await new Promise((resolve) => setTimeout(resolve, 40));
    const signal = context.signal;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(signal.aborted).to.equal(true);
    expect(signal.reason).to.equal(DEADLINE);
    expect(context.timeoutMs()).to.be.below(0);
    finish(new Error('done'));
  });

  it('follows a shutdown, even one that happened before the signal was asked for', () => {
    const shutdown = new AbortController();
    const first = callContext(init({ shutdownSignal: shutdown.signal }));
    const early = first.context.signal;
    shutdown.abort(new Error('shutting down'));
    expect(early.reason).to.have.property('message', 'shutting down');
    const late = callContext(init({ shutdownSignal: shutdown.signal }));
    expect(late.context.signal.aborted).to.equal(true);
  });

  it('gives a signal aborted with the finish reason when asked for after the call ended', () => {
    const reason = new Error('finished');
    const { context, finish } = callContext(init({}));
    finish(reason);
    expect(context.signal.aborted).to.equal(true);
    expect(context.signal.reason).to.equal(reason);
  });
});
