import { Code } from '@connectrpc/connect';
import { expect } from 'chai';
import { type GrpcHarness, describeEachBackend, expectError, given } from '../support/grpc-harness.js';

const UNKNOWN = '0b6a5f0e-1c1d-4e8e-9a53-6f0f3f5d1a22';

describeEachBackend('gRPC SchoolService', (backend) => {
  let h: GrpcHarness;
  backend.useHarness((started) => (h = started));

  it('creates a school and reads it back, timestamps included', async () => {
    const { school } = await h.schools.createSchool({ name: 'North High', currencyCode: 'COP', timezone: 'america/bogota' });
    expect(school).to.include({ name: 'North High', currencyCode: 'COP', timezone: 'America/Bogota' });
    expect(school!.id).to.match(/^[0-9a-f-]{36}$/);
    expect(school!.createdAt?.seconds).to.equal(BigInt(Date.parse('2026-03-10T12:00:00Z') / 1000));
    const { school: read } = await h.schools.getSchool({ id: school!.id });
    expect(read).to.deep.equal(school);
    // Upper-case ids are accepted and normalised.
    expect((await h.schools.getSchool({ id: school!.id.toUpperCase() })).school!.id).to.equal(school!.id);
  });

  it('lists schools a page at a time', async () => {
    const created = [];
    for (let i = 0; i < 5; i++) created.push((await h.schools.createSchool({ name: `S${i}`, currencyCode: 'USD', timezone: 'UTC' })).school!.id);
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await h.schools.listSchools({ pageSize: 2, pageToken: token });
      expect(page.schools.length).to.be.at.most(2);
      seen.push(...page.schools.map((s) => s.id));
      token = page.nextPageToken;
      pages += 1;
    } while (token !== '');
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal([...created].sort());
    expect((await h.schools.listSchools({})).schools).to.have.length(5);
  });

  it('updates only the fields that are set', async () => {
    const school = await given(h).school();
    h.clock.advance(60_000);
    const renamed = (await h.schools.updateSchool({ id: school.id, name: 'South High' })).school!;
    expect(renamed).to.include({ name: 'South High', timezone: 'UTC', currencyCode: 'USD' });
    expect(renamed.updatedAt!.seconds).to.equal(school.updatedAt!.seconds + 60n);
    const moved = (await h.schools.updateSchool({ id: school.id, timezone: 'Europe/Paris' })).school!;
    expect(moved).to.include({ name: 'South High', timezone: 'Europe/Paris' });
    const untouched = (await h.schools.updateSchool({ id: school.id })).school!;
    expect(untouched).to.include({ name: 'South High', timezone: 'Europe/Paris' });
  });

  it('deletes an empty school and returns it as it was', async () => {
    const school = await given(h).school();
    expect((await h.schools.deleteSchool({ id: school.id })).school).to.deep.equal(school);
    await expectError(h.schools.getSchool({ id: school.id }), { code: Code.NotFound, reason: 'SCHOOL_NOT_FOUND', field: 'id' });
  });

  describe('rejects, changing nothing', () => {
    const cases: [string, () => Promise<unknown>, Code, string, string | null][] = [
      ['NUL in the name', () => h.schools.createSchool({ name: 'A\u0000B', currencyCode: 'USD', timezone: 'UTC' }), Code.InvalidArgument, 'INVALID_TEXT', 'name'],
      ['an empty name', () => h.schools.createSchool({ name: '', currencyCode: 'USD', timezone: 'UTC' }), Code.InvalidArgument, 'FIELD_REQUIRED', 'name'],
      ['a lower-case currency', () => h.schools.createSchool({ name: 'A', currencyCode: 'usd', timezone: 'UTC' }), Code.InvalidArgument, 'INVALID_CURRENCY', 'currency_code'],
      ['an offset for a timezone', () => h.schools.createSchool({ name: 'A', currencyCode: 'USD', timezone: '+05:00' }), Code.InvalidArgument, 'INVALID_TIMEZONE', 'timezone'],
      ['NUL in a timezone', () => h.schools.createSchool({ name: 'A', currencyCode: 'USD', timezone: 'UTC\u0000' }), Code.InvalidArgument, 'INVALID_TIMEZONE', 'timezone'],
      ['a bad UUID', () => h.schools.getSchool({ id: 'not-a-uuid' }), Code.InvalidArgument, 'INVALID_UUID', 'id'],
      ['a missing id', () => h.schools.getSchool({ id: '' }), Code.InvalidArgument, 'FIELD_REQUIRED', 'id'],
      ['an unknown id', () => h.schools.getSchool({ id: UNKNOWN }), Code.NotFound, 'SCHOOL_NOT_FOUND', 'id'],
      ['a negative page size', () => h.schools.listSchools({ pageSize: -1 }), Code.InvalidArgument, 'INVALID_PAGE_SIZE', 'page_size'],
      ['a forged page token', () => h.schools.listSchools({ pageToken: 'nope' }), Code.InvalidArgument, 'INVALID_PAGE_TOKEN', 'page_token'],
      ['NUL in a new name', () => h.schools.updateSchool({ id: schoolId, name: 'x\u0000' }), Code.InvalidArgument, 'INVALID_TEXT', 'name'],
      ['an unknown school to update', () => h.schools.updateSchool({ id: UNKNOWN, name: 'x' }), Code.NotFound, 'SCHOOL_NOT_FOUND', 'id'],
      ['an unknown school to delete', () => h.schools.deleteSchool({ id: UNKNOWN }), Code.NotFound, 'SCHOOL_NOT_FOUND', 'id'],
      ['deleting a school with a student', () => h.schools.deleteSchool({ id: schoolId }), Code.FailedPrecondition, 'SCHOOL_HAS_DEPENDENTS', 'id'],
    ];
    let schoolId: string;
    beforeEach(async () => {
      schoolId = (await given(h).school()).id;
      await given(h).student(schoolId);
    });
    for (const [name, call, code, reason, field] of cases) {
      it(`${name}: ${Code[code]} ${reason}`, async () => {
        const before = await h.snapshot();
        await expectError(call(), { code, reason, field });
        expect(await h.snapshot()).to.equal(before);
      });
    }
  });
});
