import { Code } from '@connectrpc/connect';
import { expect } from 'chai';
import { StudentStatus } from '../../src/gen/billing/v1/student_pb.js';
import { type GrpcHarness, describeEachBackend, expectError, given } from '../support/grpc-harness.js';

const UNKNOWN = '0b6a5f0e-1c1d-4e8e-9a53-6f0f3f5d1a22';

describeEachBackend('gRPC StudentService', (backend) => {
  let h: GrpcHarness;
  backend.useHarness((started) => (h = started));
  let schoolId: string;
  beforeEach(async () => {
    schoolId = (await given(h).school()).id;
  });

  it('creates an ACTIVE student by default, with empty email and external ref', async () => {
    const { student } = await h.students.createStudent({ schoolId, firstName: 'Ada', lastName: 'Lovelace' });
    expect(student).to.include({ schoolId, firstName: 'Ada', lastName: 'Lovelace', email: '', externalRef: '', status: StudentStatus.ACTIVE });
    expect((await h.students.getStudent({ id: student!.id })).student).to.deep.equal(student);
  });

  it('creates a student with every field set', async () => {
    const { student } = await h.students.createStudent({
      schoolId,
      firstName: 'Alan',
      lastName: 'Turing',
      email: 'alan@example.org',
      externalRef: 'S-1',
      status: StudentStatus.GRADUATED,
    });
    expect(student).to.include({ email: 'alan@example.org', externalRef: 'S-1', status: StudentStatus.GRADUATED });
  });

  it('lists the students of a school by status, a page at a time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await given(h).student(schoolId, { firstName: `A${i}` })).id);
    await h.students.createStudent({ schoolId, firstName: 'W', lastName: 'X', status: StudentStatus.WITHDRAWN });
    const other = await given(h).school();
    await given(h).student(other.id);

    const first = await h.students.listStudents({ schoolId, status: StudentStatus.ACTIVE, pageSize: 2 });
    expect(first.students).to.have.length(2);
    expect(first.nextPageToken).to.not.equal('');
    const second = await h.students.listStudents({ schoolId, status: StudentStatus.ACTIVE, pageSize: 2, pageToken: first.nextPageToken });
    expect(second.nextPageToken).to.equal('');
    // Pages follow id order, as for schools (ids come from the backend's generator, so sort them).
    expect([...first.students, ...second.students].map((s) => s.id)).to.deep.equal([...ids].sort());
    expect((await h.students.listStudents({ schoolId })).students).to.have.length(4);
    const withdrawn = await h.students.listStudents({ schoolId, status: StudentStatus.WITHDRAWN });
    expect(withdrawn.students.map((s) => s.firstName)).to.deep.equal(['W']);
  });

  it('updates only the fields that are set; an empty email clears it', async () => {
    const { student } = await h.students.createStudent({ schoolId, firstName: 'Ada', lastName: 'L', email: 'ada@example.org', externalRef: 'R1' });
    const renamed = (await h.students.updateStudent({ id: student!.id, firstName: 'Augusta' })).student!;
    expect(renamed).to.include({ firstName: 'Augusta', lastName: 'L', email: 'ada@example.org', externalRef: 'R1', status: StudentStatus.ACTIVE });
    const cleared = (await h.students.updateStudent({ id: student!.id, email: '', status: StudentStatus.INACTIVE })).student!;
    expect(cleared).to.include({ email: '', externalRef: 'R1', status: StudentStatus.INACTIVE });
  });

  it('transfers a settled student to a school of the same currency', async () => {
    const student = await given(h).student(schoolId);
    const target = await given(h).school({ name: 'South High' });
    const moved = (await h.students.updateStudent({ id: student.id, schoolId: target.id })).student!;
    expect(moved.schoolId).to.equal(target.id);
  });

  it('deletes a student without invoices or payments', async () => {
    const student = await given(h).student(schoolId);
    expect((await h.students.deleteStudent({ id: student.id })).student).to.deep.equal(student);
    await expectError(h.students.getStudent({ id: student.id }), { code: Code.NotFound, reason: 'STUDENT_NOT_FOUND', field: 'id' });
  });

  describe('rejects, changing nothing', () => {
    let studentId: string;
    let eurSchoolId: string;
    let owingId: string;
    let usdTargetId: string;
    beforeEach(async () => {
      usdTargetId = (await given(h).school({ name: 'South High' })).id;
      studentId = (await given(h).student(schoolId, { externalRef: 'TAKEN' })).id;
      eurSchoolId = (await given(h).school({ currencyCode: 'EUR' })).id;
      owingId = (await given(h).student(schoolId)).id;
      await given(h).invoice(owingId, 100n, '2026-04-01');
    });
    const create = (init: Record<string, unknown>) =>
      h.students.createStudent({ schoolId, firstName: 'Ada', lastName: 'Lovelace', ...init });
    const cases: [string, () => Promise<unknown>, Code, string, string | null][] = [
      ['NUL in first_name', () => create({ firstName: 'A\u0000' }), Code.InvalidArgument, 'INVALID_TEXT', 'first_name'],
      ['NUL in last_name', () => create({ lastName: '\u0000' }), Code.InvalidArgument, 'INVALID_TEXT', 'last_name'],
      ['NUL in email', () => create({ email: 'a\u0000@example.org' }), Code.InvalidArgument, 'INVALID_TEXT', 'email'],
      ['NUL in external_ref', () => create({ externalRef: 'R\u0000' }), Code.InvalidArgument, 'INVALID_TEXT', 'external_ref'],
      ['a malformed email', () => create({ email: 'nobody' }), Code.InvalidArgument, 'INVALID_EMAIL', 'email'],
      ['an unknown status value', () => create({ status: 42 as StudentStatus }), Code.InvalidArgument, 'INVALID_ENUM', 'status'],
      ['a bad school UUID', () => create({ schoolId: 'x' }), Code.InvalidArgument, 'INVALID_UUID', 'school_id'],
      ['an unknown school', () => create({ schoolId: UNKNOWN }), Code.NotFound, 'SCHOOL_NOT_FOUND', 'school_id'],
      ['a taken external_ref', () => create({ externalRef: 'TAKEN' }), Code.AlreadyExists, 'STUDENT_EXTERNAL_REF_TAKEN', 'external_ref'],
      ['an unknown student', () => h.students.getStudent({ id: UNKNOWN }), Code.NotFound, 'STUDENT_NOT_FOUND', 'id'],
      ['listing without a school', () => h.students.listStudents({}), Code.InvalidArgument, 'FIELD_REQUIRED', 'school_id'],
      ['listing an unknown school', () => h.students.listStudents({ schoolId: UNKNOWN }), Code.NotFound, 'SCHOOL_NOT_FOUND', 'school_id'],
      ['listing by an unknown status', () => h.students.listStudents({ schoolId, status: 9 as StudentStatus }), Code.InvalidArgument, 'INVALID_ENUM', 'status'],
      ['setting status to UNSPECIFIED', () => h.students.updateStudent({ id: studentId, status: StudentStatus.UNSPECIFIED }), Code.InvalidArgument, 'INVALID_ENUM', 'status'],
      ['setting an unknown status', () => h.students.updateStudent({ id: studentId, status: 7 as StudentStatus }), Code.InvalidArgument, 'INVALID_ENUM', 'status'],
      ['NUL in a new first_name', () => h.students.updateStudent({ id: studentId, firstName: '\u0000' }), Code.InvalidArgument, 'INVALID_TEXT', 'first_name'],
      ['NUL in a new email', () => h.students.updateStudent({ id: studentId, email: '\u0000' }), Code.InvalidArgument, 'INVALID_TEXT', 'email'],
      ['NUL in a new external_ref', () => h.students.updateStudent({ id: studentId, externalRef: '\u0000' }), Code.InvalidArgument, 'INVALID_TEXT', 'external_ref'],
      ['a bad school UUID to move to', () => h.students.updateStudent({ id: studentId, schoolId: 'nope' }), Code.InvalidArgument, 'INVALID_UUID', 'school_id'],
      ['moving to an unknown school', () => h.students.updateStudent({ id: studentId, schoolId: UNKNOWN }), Code.NotFound, 'SCHOOL_NOT_FOUND', 'school_id'],
      ['moving to another currency', () => h.students.updateStudent({ id: studentId, schoolId: eurSchoolId }), Code.FailedPrecondition, 'TRANSFER_CURRENCY_MISMATCH', 'school_id'],
      ['moving an unsettled account', () => h.students.updateStudent({ id: owingId, schoolId: usdTargetId }), Code.FailedPrecondition, 'TRANSFER_ACCOUNT_NOT_SETTLED', 'school_id'],
      ['deleting a student with an invoice', () => h.students.deleteStudent({ id: owingId }), Code.FailedPrecondition, 'STUDENT_HAS_FINANCIAL_RECORDS', 'id'],
      ['deleting an unknown student', () => h.students.deleteStudent({ id: UNKNOWN }), Code.NotFound, 'STUDENT_NOT_FOUND', 'id'],
    ];
    for (const [name, call, code, reason, field] of cases) {
      it(`${name}: ${Code[code]} ${reason}`, async () => {
        const before = await h.snapshot();
        await expectError(call(), { code, reason, field });
        expect(await h.snapshot()).to.equal(before);
      });
    }
  });
});
