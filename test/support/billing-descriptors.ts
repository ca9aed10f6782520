import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DescFile, DescService } from '@bufbuild/protobuf';

const GENERATED = new URL('../../src/gen/billing/v1/', import.meta.url);

/**
 * Every service of every billing.v1 file, read from the generated code on
 * disk: a new proto file or a new RPC shows up here without anyone listing it.
 */
export async function billingV1Services(): Promise<DescService[]> {
  const files = readdirSync(fileURLToPath(GENERATED)).filter((name) => name.endsWith('_pb.ts'));
  const services: DescService[] = [];
  for (const name of files.sort()) {
    const module = (await import(new URL(name, GENERATED).href)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (isFile(value) && value.proto.package === 'billing.v1') services.push(...value.services);
    }
  }
  return services;
}

function isFile(value: unknown): value is DescFile {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'file';
}
