import { type DescFile, type DescService, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';

type PackageDefinition = ConstructorParameters<typeof ReflectionService>[0];

/** The files declaring the services and every file they import, each once. */
export function filesOf(services: readonly DescService[]): DescFile[] {
  const seen = new Map<string, DescFile>();
  const visit = (file: DescFile) => {
    if (seen.has(file.name)) return;
    seen.set(file.name, file);
    file.dependencies.forEach(visit);
  };
  services.forEach((service) => visit(service.file));
  return [...seen.values()];
}

/**
 * Server reflection (grpc.reflection.v1 and v1alpha), fed the compiled
 * descriptors protobuf-es already holds, so `buf curl` and `grpcurl` work
 * without proto files. Lists exactly the given services.
 */
export function addReflection(server: grpc.Server, services: readonly DescService[]): void {
  const definition: Record<string, { fileDescriptorProtos: Buffer[] }> = {};
  for (const file of filesOf(services)) {
    definition[file.proto.name] = { fileDescriptorProtos: [Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto))] };
  }
  new ReflectionService(definition as unknown as PackageDefinition, { services: services.map((s) => s.typeName) }).addToServer(
    server,
  );
}
