import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificates {
  readonly dir: string;
  /** Paths of PEM files. */
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A client certificate from a CA the server does not trust. */
  readonly strangerCertFile: string;
  readonly strangerKeyFile: string;
  read(path: string): Buffer;
  remove(): void;
}

/**
 * A throwaway PKI made with openssl at test time: a CA, a server
 * certificate for localhost / 127.0.0.1, a client certificate it signed, and
 * a client certificate signed by another CA. EC P-256, valid for a day.
 */
export async function makeCertificates(): Promise<TestCertificates> {
  const dir = mkdtempSync(join(tmpdir(), 'billing-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const key = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', at(name));
  const ca = async (name: string) => {
    await key(`${name}-key.pem`);
    await openssl('req', '-x509', '-new', '-key', at(`${name}-key.pem`), '-out', at(`${name}.pem`), '-days', '1', '-subj', `/CN=${name}`);
  };
  const leaf = async (name: string, signer: string, extensions: string) => {
    await key(`${name}-key.pem`);
    await openssl('req', '-new', '-key', at(`${name}-key.pem`), '-out', at(`${name}.csr`), '-subj', `/CN=${name}`);
    writeFileSync(at(`${name}.ext`), extensions);
    await openssl(
      'x509', '-req', '-in', at(`${name}.csr`), '-CA', at(`${signer}.pem`), '-CAkey', at(`${signer}-key.pem`), '-CAcreateserial',
      '-out', at(`${name}.pem`), '-days', '1', '-extfile', at(`${name}.ext`),
    );
  };
  await ca('test-ca');
  await ca('stranger-ca');
  await leaf('server', 'test-ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  await leaf('client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
  await leaf('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caFile: at('test-ca.pem'),
    serverCertFile: at('server.pem'),
    serverKeyFile: at('server-key.pem'),
    clientCertFile: at('client.pem'),
    clientKeyFile: at('client-key.pem'),
    strangerCertFile: at('stranger.pem'),
    strangerKeyFile: at('stranger-key.pem'),
    read: (path) => readFileSync(path),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
