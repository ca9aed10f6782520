import { ContainerModule } from 'inversify';
import type { AccessUseCases } from '../application/access/access-use-cases.js';
import { Authenticate } from '../application/access/authenticate.js';
import { Authorize } from '../application/access/authorize.js';
import type { ResourceOwnership } from '../application/ports/resource-ownership.js';
import type { TokenVerifier } from '../application/ports/token-verifier.js';
import { CreateInvoice } from '../application/invoice/create-invoice.js';
import { GetInvoice } from '../application/invoice/get-invoice.js';
import { ListInvoices } from '../application/invoice/list-invoices.js';
import { UpdateInvoice } from '../application/invoice/update-invoice.js';
import { VoidInvoice } from '../application/invoice/void-invoice.js';
import { CreatePayment } from '../application/payment/create-payment.js';
import { GetPayment } from '../application/payment/get-payment.js';
import { ListPayments } from '../application/payment/list-payments.js';
import { ReversePayment } from '../application/payment/reverse-payment.js';
import type { Clock } from '../application/ports/clock.js';
import type { IdGenerator } from '../application/ports/id-generator.js';
import type { StatementReader } from '../application/ports/statement-reader.js';
import type { Repositories, UnitOfWork } from '../application/ports/unit-of-work.js';
import { CreateSchool } from '../application/school/create-school.js';
import { DeleteSchool } from '../application/school/delete-school.js';
import { GetSchool } from '../application/school/get-school.js';
import { ListSchools } from '../application/school/list-schools.js';
import { UpdateSchool } from '../application/school/update-school.js';
import { GetSchoolStatement } from '../application/statement/get-school-statement.js';
import { GetStudentStatement } from '../application/statement/get-student-statement.js';
import { CreateStudent } from '../application/student/create-student.js';
import { DeleteStudent } from '../application/student/delete-student.js';
import { GetStudent } from '../application/student/get-student.js';
import { ListStudents } from '../application/student/list-students.js';
import { UpdateStudent } from '../application/student/update-student.js';
import type { BillingUseCases } from '../application/use-cases.js';
import { GetCacheStats } from '../application/cache/get-cache-stats.js';
import { InvalidateStatements } from '../application/cache/invalidate-statements.js';
import { WarmStatements } from '../application/cache/warm-statements.js';
import type { StatementCacheMetrics } from '../application/ports/statement-cache-metrics.js';
import type { StatementCachePort } from '../application/ports/statement-cache-port.js';
import type { StatementCodec } from '../application/ports/statement-codec.js';
import { type CacheSettings, StatementCache } from '../application/statement/statement-cache.js';
import { VersionBatcher } from '../application/statement/version-batcher.js';
import type { StatementVersionSource } from '../application/ports/statement-versions.js';
import { type StatementCacheFactory, TOKENS } from './tokens.js';

/** Everything the use cases need: the ports, and the statement cache policy built over them. */
export interface UseCaseDependencies {
  readonly uow: UnitOfWork;
  readonly repositories: Repositories;
  readonly reader: StatementReader;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly cacheStore: StatementCachePort;
  readonly cacheMetrics: StatementCacheMetrics;
  readonly statementCache: StatementCache;
  readonly versions: VersionBatcher;
  readonly codec: StatementCodec;
}

/** The use cases over whatever adapters the other modules bind to the ports. */
export function buildUseCases(deps: UseCaseDependencies): BillingUseCases {
  const { uow, clock, ids, reader, statementCache, versions, codec } = deps;
  const { schools, students, invoices, payments } = deps.repositories;
  const getStudentStatement = new GetStudentStatement(statementCache, versions, reader, codec, clock);
  const getSchoolStatement = new GetSchoolStatement(statementCache, versions, reader, codec, clock);
  return {
    createSchool: new CreateSchool(schools, clock, ids),
    getSchool: new GetSchool(schools),
    listSchools: new ListSchools(schools),
    updateSchool: new UpdateSchool(uow, clock),
    deleteSchool: new DeleteSchool(uow),
    createStudent: new CreateStudent(uow, clock, ids),
    getStudent: new GetStudent(students),
    listStudents: new ListStudents(schools, students),
    updateStudent: new UpdateStudent(uow, clock),
    deleteStudent: new DeleteStudent(uow),
    createInvoice: new CreateInvoice(uow, clock, ids),
    getInvoice: new GetInvoice(invoices, schools, clock),
    listInvoices: new ListInvoices(invoices, schools, students, clock),
    updateInvoice: new UpdateInvoice(uow, clock, ids),
    voidInvoice: new VoidInvoice(uow, clock, ids),
    createPayment: new CreatePayment(uow, clock, ids),
    getPayment: new GetPayment(payments),
    listPayments: new ListPayments(payments, schools, students),
    reversePayment: new ReversePayment(uow, clock, ids),
    getStudentStatement,
    getSchoolStatement,
    getCacheStats: new GetCacheStats(deps.cacheStore, deps.cacheMetrics),
    invalidateStatements: new InvalidateStatements(deps.cacheStore, statementCache),
    warmStatements: new WarmStatements(students, getSchoolStatement, getStudentStatement),
  };
}

export const applicationModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.access)
    .toResolvedValue(
      (verifier: TokenVerifier | null, ownership: ResourceOwnership, versions: VersionBatcher): AccessUseCases => ({
        authenticate: new Authenticate(verifier),
        authorize: new Authorize(ownership, versions),
      }),
      [TOKENS.tokenVerifier, TOKENS.ownership, TOKENS.versions],
    )
    .inSingletonScope();
  bind(TOKENS.statementCache)
    .toResolvedValue(
      (store: StatementCachePort, clock: Clock, metrics: StatementCacheMetrics, settings: CacheSettings, replace?: StatementCacheFactory) =>
        // The policy of SPEC §5, unless an override (tests only) binds another.
        replace ? replace({ store, clock, metrics, settings }) : new StatementCache(store, clock, metrics, settings),
      [TOKENS.cacheStore, TOKENS.clock, TOKENS.cacheMetrics, TOKENS.cacheSettings, { serviceIdentifier: TOKENS.statementCacheFactory, optional: true }],
    )
    .inSingletonScope();
  bind(TOKENS.versions)
    .toResolvedValue((source: StatementVersionSource) => new VersionBatcher(source, (run) => queueMicrotask(run)), [TOKENS.versionSource])
    .inSingletonScope();
  bind(TOKENS.useCases)
    .toResolvedValue(
      (
        uow: UnitOfWork,
        repositories: Repositories,
        reader: StatementReader,
        clock: Clock,
        ids: IdGenerator,
        cacheStore: StatementCachePort,
        cacheMetrics: StatementCacheMetrics,
        statementCache: StatementCache,
        versions: VersionBatcher,
        codec: StatementCodec,
      ) => buildUseCases({ uow, repositories, reader, clock, ids, cacheStore, cacheMetrics, statementCache, versions, codec }),
      [
        TOKENS.unitOfWork,
        TOKENS.repositories,
        TOKENS.statementReader,
        TOKENS.clock,
        TOKENS.ids,
        TOKENS.cacheStore,
        TOKENS.cacheMetrics,
        TOKENS.statementCache,
        TOKENS.versions,
        TOKENS.codec,
      ],
    )
    .inSingletonScope();
});
