import { Code } from '@connectrpc/connect';
import { expect } from 'chai';
import { CacheAdminService } from '../../src/gen/billing/v1/cache_admin_pb.js';
import { type GrpcHarness, describeEachBackend, expectError, given } from '../support/grpc-harness.js';

const UNKNOWN = '0b6a5f0e-1c1d-4e8e-9a53-6f0f3f5d1a22';

describeEachBackend('statement cache over gRPC', (backend) => {
  let h: GrpcHarness;
  backend.useHarness((started) => (h = started));

  async function studentStatement(studentId: string) {
    let status: string | null = null;
    const { statement } = await h.statements.getStudentStatement({ studentId }, { onHeader: (headers) => (status = headers.get('x-cache-status')) });
    return { statement: statement!, status };
  }

  async function schoolStatement(schoolId: string, pageSize = 0) {
    let status: string | null = null;
    const response = await h.statements.getSchoolStatement({ schoolId, pageSize }, { onHeader: (headers) => (status = headers.get('x-cache-status')) });
    return { statement: response.statement!, status };
  }

  it('says in x-cache-status whether a statement was a miss or a hit, and reflects every write', async () => {
    const school = await given(h).school();
    const student = await given(h).student(school.id);
    await given(h).invoice(student.id, 900n, '2026-04-01');

    const first = await studentStatement(student.id);
    const second = await studentStatement(student.id);
    await given(h).pay(student.id, 300n);
    const third = await studentStatement(student.id);

    expect([first.status, second.status, third.status]).to.deep.equal(['miss', 'hit', 'miss']);
    expect(second.statement).to.deep.equal(first.statement);
    expect(third.statement.totals!.outstandingMinor).to.equal(600n);
  });

  it('caches school statements per page, and a student write changes them', async () => {
    const school = await given(h).school();
    const student = await given(h).student(school.id);
    await given(h).invoice(student.id, 500n, '2026-04-01');

    const statuses = [(await schoolStatement(school.id)).status, (await schoolStatement(school.id)).status, (await schoolStatement(school.id, 1)).status];
    await h.students.updateStudent({ id: student.id, lastName: 'Byron' });
    const renamed = await schoolStatement(school.id);

    expect(statuses).to.deep.equal(['miss', 'hit', 'miss']);
    expect([renamed.status, renamed.statement.rows[0]!.name]).to.deep.equal(['miss', 'Ada Byron']);
  });

  describe('CacheAdminService', () => {
    const admin = () => h.client(CacheAdminService);

    it('reports this replica\'s counters and the number of cached statements', async () => {
      const school = await given(h).school();
      const student = await given(h).student(school.id);
      await studentStatement(student.id);
      await studentStatement(student.id);
      await schoolStatement(school.id);

      const { stats } = await admin().getCacheStats({});

      const kinds = Object.fromEntries(stats!.kinds.map((k) => [k.kind, k]));
      expect(kinds.student).to.include({ hits: 1n, misses: 1n, computations: 1n, fillsStored: 1n, hitRatio: 0.5 });
      expect(kinds.school).to.include({ hits: 0n, misses: 1n, computations: 1n });
      expect(stats).to.include({ keyCount: 2n, keyCountKnown: true });
    });

    it('invalidates one student, one school, or everything', async () => {
      const school = await given(h).school();
      const [a, b] = [await given(h).student(school.id), await given(h).student(school.id)];
      for (const id of [a.id, b.id]) await studentStatement(id);
      await schoolStatement(school.id);

      expect((await admin().invalidateStatements({ target: { case: 'studentId', value: a.id } })).deletedKeys).to.equal(1n);
      expect([(await studentStatement(a.id)).status, (await studentStatement(b.id)).status]).to.deep.equal(['miss', 'hit']);
      expect((await admin().invalidateStatements({ target: { case: 'schoolId', value: school.id } })).deletedKeys).to.equal(1n);
      expect((await schoolStatement(school.id)).status).to.equal('miss');
      expect((await admin().invalidateStatements({ target: { case: 'all', value: true } })).deletedKeys).to.equal(3n);
      expect((await admin().getCacheStats({})).stats!.keyCount).to.equal(0n);
    });

    it('warms a school and its students, so that the next reads are hits', async () => {
      const school = await given(h).school();
      const students = [await given(h).student(school.id), await given(h).student(school.id), await given(h).student(school.id)];

      const warmed = await admin().warmStatements({ schoolId: school.id });
      const again = await admin().warmStatements({ schoolId: school.id });

      expect([warmed.computed, warmed.alreadyCached]).to.deep.equal([4n, 0n]);
      expect([again.computed, again.alreadyCached]).to.deep.equal([0n, 4n]);
      for (const student of students) expect((await studentStatement(student.id)).status).to.equal('hit');
      expect((await schoolStatement(school.id)).status).to.equal('hit');
    });

    it('refuses an unknown school, a bad id and a request that names nothing', async () => {
      await expectError(admin().warmStatements({ schoolId: UNKNOWN }), { code: Code.NotFound, reason: 'SCHOOL_NOT_FOUND', field: 'school_id' });
      await expectError(admin().invalidateStatements({ target: { case: 'studentId', value: 'x' } }), {
        code: Code.InvalidArgument,
        reason: 'INVALID_UUID',
        field: 'student_id',
      });
      await expectError(admin().invalidateStatements({}), { code: Code.InvalidArgument, reason: 'FIELD_REQUIRED', field: 'target' });
    });
  });
});
