import * as grpc from '@grpc/grpc-js';

/**
 * gRPC metadata ↔ Fetch Headers, the form Connect handlers read and write.
 * Binary (`-bin`) values travel in Headers as base64, as Connect does on HTTP.
 */

export function metadataToHeaders(metadata: grpc.Metadata): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(metadata.toHttp2Headers())) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) headers.append(key, String(item));
    }
  }
  return headers;
}

// Set by the transport itself; a handler (or an error relayed from another
// service) must not override them, least of all grpc-status.
const RESERVED = new Set(['content-type', 'content-length', 'date', 'te', 'host', 'user-agent', 'connection', 'transfer-encoding']);

function reserved(key: string): boolean {
  return key.startsWith('grpc-') || key.startsWith(':') || RESERVED.has(key);
}

/** Outgoing metadata; transport-reserved names are dropped. */
export function headersToMetadata(headers: Headers): grpc.Metadata {
  const metadata = new grpc.Metadata();
  headers.forEach((value, key) => {
    if (reserved(key)) return;
    if (key.endsWith('-bin')) {
      for (const part of value.split(',')) {
        const trimmed = part.trim();
        if (trimmed !== '') metadata.add(key, Buffer.from(trimmed, 'base64'));
      }
    } else {
      metadata.add(key, value);
    }
  });
  return metadata;
}
