import { type DescMessage, type MessageInitShape, create, toBinary } from '@bufbuild/protobuf';

const ENCODED = Symbol('encoded response bytes');

type WithBytes = { [ENCODED]?: Uint8Array };

/**
 * Responses built once per result object: a result served again (the
 * statement cache hands out the same decoded statement for every hit at one
 * version) reuses its message and its encoded bytes instead of mapping and
 * serializing it per call. The gRPC bridge sends the bytes as they are;
 * other listeners use the message.
 */
export class ResponseMemo<Result extends object, Desc extends DescMessage> {
  private readonly built = new WeakMap<Result, MessageInitShape<Desc>>();

  constructor(private readonly desc: Desc) {}

  respond(result: Result, build: (result: Result) => MessageInitShape<Desc>): MessageInitShape<Desc> {
    let response = this.built.get(result);
    if (!response) {
      response = build(result);
      Object.defineProperty(response, ENCODED, { value: toBinary(this.desc, create(this.desc, response)), enumerable: false });
      this.built.set(result, response);
    }
    return response;
  }
}

/** The bytes a ResponseMemo attached to a response, if any. */
export function encodedBytesOf(response: unknown): Uint8Array | undefined {
  return typeof response === 'object' && response !== null ? (response as WithBytes)[ENCODED] : undefined;
}
