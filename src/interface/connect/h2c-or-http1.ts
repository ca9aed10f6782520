import { once } from 'node:events';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import { type Server, type Socket, createServer } from 'node:net';

type Handler = (request: http.IncomingMessage | http2.Http2ServerRequest, response: http.ServerResponse | http2.Http2ServerResponse) => void;

// Every HTTP/2 connection without TLS starts with this preface ("prior knowledge").
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n');

export interface PlaintextHttpServer {
  readonly port: number;
  /** Stops accepting connections; open HTTP/2 sessions get GOAWAY, idle HTTP/1.1 connections close. */
  close(): void;
  /** Drops every connection still open. */
  destroy(): void;
  /** Resolves once every connection has ended. */
  closed(): Promise<void>;
}

/**
 * One plaintext port for HTTP/1.1 and HTTP/2 ("h2c" with prior knowledge),
 * as Node 20's http2 server does not fall back to HTTP/1.1 without TLS
 * (`allowHTTP1` only applies to TLS). The first bytes of each connection
 * decide: the HTTP/2 preface goes to an http2 server, anything else to an
 * http server; both run the same handler.
 */
export async function listenHttp1AndH2c(host: string, port: number, handler: Handler): Promise<PlaintextHttpServer> {
  const h2 = http2.createServer(handler as (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => void);
  const h1 = http.createServer(handler as http.RequestListener);
  h1.keepAliveTimeout = 5_000;
  const sockets = new Set<Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (session: http2.ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });

  const route = (socket: Socket) => {
    let head = Buffer.alloc(0);
    const onReadable = () => {
      let chunk: Buffer | null;
      while (head.length < H2_PREFACE.length && (chunk = socket.read() as Buffer | null) !== null) head = Buffer.concat([head, chunk]);
      const decided = head.length >= H2_PREFACE.length || !H2_PREFACE.subarray(0, head.length).equals(head) || socket.readableEnded;
      if (!decided) return;
      socket.off('readable', onReadable);
      socket.off('end', onReadable);
      socket.unshift(head);
      const isH2 = head.length >= H2_PREFACE.length && head.subarray(0, H2_PREFACE.length).equals(H2_PREFACE);
      (isH2 ? h2 : h1).emit('connection', socket);
    };
    socket.on('readable', onReadable);
    socket.on('end', onReadable);
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    route(socket);
  });
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const allClosed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  return {
    port: bound,
    close() {
      server.close();
      for (const session of sessions) session.close();
      h1.closeIdleConnections();
    },
    destroy() {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
    closed: () => allClosed,
  };
}
