import * as grpc from '@grpc/grpc-js';

/** What a raw gRPC unary call saw on the wire. */
export interface RawUnaryResult {
  readonly status: grpc.StatusObject;
  /** Initial metadata (response headers). */
  readonly headers: grpc.Metadata | null;
  readonly response: Buffer | null;
}

/**
 * A unary call with grpc-js and no serialization at all: the request bytes go
 * out as given, so a test can send bytes no typed client would produce.
 */
export function rawUnary(port: number, path: string, request: Uint8Array, metadata = new grpc.Metadata()): Promise<RawUnaryResult> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    let headers: grpc.Metadata | null = null;
    let response: Buffer | null = null;
    const call = client.makeUnaryRequest<Uint8Array, Buffer>(
      path,
      (bytes) => Buffer.from(bytes),
      (bytes) => bytes,
      request,
      metadata,
      { deadline: Date.now() + 10_000 },
      (_error, value) => {
        response = value ?? null;
      },
    );
    call.on('metadata', (received: grpc.Metadata) => {
      headers = received;
    });
    call.on('status', (status: grpc.StatusObject) => {
      // The callback runs before 'status'; let it land first.
      setImmediate(() => {
        client.close();
        resolve({ status, headers, response });
      });
    });
  });
}
