import { expect } from 'chai';
import { Authenticate } from '../../../src/application/access/authenticate.js';
import { Authorize } from '../../../src/application/access/authorize.js';
import { CallVersions } from '../../../src/application/statement/call-versions.js';
import { type AccessTarget, type Actor, UNAUTHENTICATED_ADMIN, actorFromClaims } from '../../../src/domain/access.js';
import type { InvoiceId, SchoolId, StudentId } from '../../../src/domain/ids.js';
import { InMemoryOwnership } from '../../fakes/in-memory-ownership.js';
import { billing } from '../support/billing.js';

const UNKNOWN = '0198a8e2-7c1b-7000-8000-0000000000ff';

const outcome = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'allowed';
  } catch (error) {
    const { reason, message, field } = error as { reason?: string; message: string; field?: string };
    return { reason, message, field };
  }
};

describe('access (use cases)', () => {
  async function world() {
    const fakes = billing();
    const own = await fakes.given.school();
    const other = await fakes.given.school({ name: 'Elsewhere' });
    const ownStudent = await fakes.given.student(own.id);
    const otherStudent = await fakes.given.student(other.id);
    const otherInvoice = await fakes.given.invoice(otherStudent.id, 500n, '2026-04-01');
    const ownership = new InMemoryOwnership(fakes.state);
    const authorize = new Authorize(ownership, fakes.versions);
    const scoped: Actor = { role: 'school', subject: 'portal', schoolIds: new Set([own.id]) };
    const admin: Actor = { role: 'admin', subject: 'ops' };
    return { ...fakes, own, other, ownStudent, otherStudent, otherInvoice, ownership, authorize, scoped, admin };
  }

  describe('Authorize', () => {
    it('lets an admin do anything without a lookup, unknown ids included (the use case answers NOT_FOUND)', async () => {
      const w = await world();
      for (const targets of [[{ kind: 'admin' }], [{ kind: 'student', id: UNKNOWN as StudentId }], [{ kind: 'invoice', id: w.otherInvoice.id }]] as AccessTarget[][]) {
        expect(await outcome(w.authorize.execute(w.admin, targets))).to.equal('allowed');
      }
      expect(w.ownership.lookups).to.equal(0);
      expect(w.versionSource.reads).to.equal(0);
    });

    it('costs a school caller no lookup for a school id, and one for a student (its statement version read), invoice or payment', async () => {
      const w = await world();
      expect(await outcome(w.authorize.execute(w.scoped, [{ kind: 'school', id: w.own.id }]))).to.equal('allowed');
      expect([w.ownership.lookups, w.versionSource.reads]).to.deep.equal([0, 0]);
      expect(await outcome(w.authorize.execute(w.scoped, [{ kind: 'student', id: w.ownStudent.id }]))).to.equal('allowed');
      expect([w.ownership.lookups, w.versionSource.reads]).to.deep.equal([0, 1]);
      const ownInvoice = await w.given.invoice(w.ownStudent.id, 500n, '2026-04-01');
      expect(await outcome(w.authorize.execute(w.scoped, [{ kind: 'invoice', id: ownInvoice.id }]))).to.equal('allowed');
      expect([w.ownership.lookups, w.versionSource.reads]).to.deep.equal([1, 1]);
    });

    it("keeps a student's version read in the call's record, and the call's student statement read uses it instead of reading again", async () => {
      const w = await world();
      await w.useCases.getStudentStatement.execute(w.ownStudent.id);
      const readsBefore = w.versionSource.reads;
      const read = new CallVersions();
      expect(await outcome(w.authorize.execute(w.scoped, [{ kind: 'student', id: w.ownStudent.id }], read))).to.equal('allowed');
      expect(read.student(w.ownStudent.id)).to.include({ schoolId: w.own.id });
      const statement = await w.useCases.getStudentStatement.execute(w.ownStudent.id, read);
      expect(statement.status).to.equal('hit');
      expect(w.versionSource.reads - readsBefore).to.equal(1);
      // Without the record, the statement read makes its own version read.
      await w.useCases.getStudentStatement.execute(w.ownStudent.id);
      expect(w.versionSource.reads - readsBefore).to.equal(2);
    });

    it("records a refused student lookup too, and never another student's", async () => {
      const w = await world();
      const read = new CallVersions();
      expect(await outcome(w.authorize.execute(w.scoped, [{ kind: 'student', id: w.otherStudent.id, field: 'student_id' }], read))).to.include({ reason: 'ACCESS_DENIED' });
      expect(read.student(w.otherStudent.id)).to.include({ schoolId: w.other.id });
      expect(read.student(w.ownStudent.id)).to.equal(undefined);
      const missing = new CallVersions();
      await outcome(w.authorize.execute(w.scoped, [{ kind: 'student', id: UNKNOWN as StudentId }], missing));
      expect(missing.student(UNKNOWN as StudentId)).to.equal(null);
    });

    it('answers out of scope and nonexistent alike: ACCESS_DENIED, same message', async () => {
      const w = await world();
      const outside = await outcome(w.authorize.execute(w.scoped, [{ kind: 'invoice', id: w.otherInvoice.id, field: 'id' }]));
      const missing = await outcome(w.authorize.execute(w.scoped, [{ kind: 'invoice', id: UNKNOWN as InvoiceId, field: 'id' }]));
      const otherSchool = await outcome(w.authorize.execute(w.scoped, [{ kind: 'school', id: w.other.id, field: 'id' }]));
      const unknownSchool = await outcome(w.authorize.execute(w.scoped, [{ kind: 'school', id: UNKNOWN as SchoolId, field: 'id' }]));
      expect(outside).to.include({ reason: 'ACCESS_DENIED', field: 'id' });
      expect(missing).to.deep.equal(outside);
      expect(otherSchool).to.deep.equal(outside);
      expect(unknownSchool).to.deep.equal(outside);
    });

    it('needs both schools of a transfer in scope, checking the named school before spending the lookup', async () => {
      const w = await world();
      const transfer = (to: SchoolId) => w.authorize.execute(w.scoped, [{ kind: 'student', id: w.ownStudent.id }, { kind: 'school', id: to }]);
      expect(await outcome(transfer(w.other.id))).to.include({ reason: 'ACCESS_DENIED' });
      expect([w.ownership.lookups, w.versionSource.reads]).to.deep.equal([0, 0]);
      const both: Actor = { role: 'school', subject: 'group', schoolIds: new Set([w.own.id, w.other.id]) };
      expect(await outcome(w.authorize.execute(both, [{ kind: 'student', id: w.ownStudent.id }, { kind: 'school', id: w.other.id }]))).to.equal('allowed');
    });

    it('keeps administration to admins (ADMIN_REQUIRED), and refuses a rule naming two lookups', async () => {
      const w = await world();
      expect(await outcome(w.authorize.execute(w.scoped, [{ kind: 'admin' }]))).to.include({ reason: 'ADMIN_REQUIRED' });
      expect(await outcome(w.authorize.execute(w.scoped, [{ kind: 'any' }]))).to.equal('allowed');
      const two: AccessTarget[] = [
        { kind: 'student', id: w.ownStudent.id },
        { kind: 'student', id: w.otherStudent.id },
      ];
      expect(await outcome(w.authorize.execute(w.admin, two))).to.have.property('message').that.match(/at most one/);
    });
  });

  describe('scoped use cases', () => {
    it('list only the schools a school caller may see', async () => {
      const w = await world();
      const all = await w.useCases.listSchools.execute({ size: 100, token: null });
      const mine = await w.useCases.listSchools.execute({ size: 100, token: null }, new Set([w.own.id, UNKNOWN as SchoolId]));
      expect(all.items).to.have.length(2);
      expect(mine.items.map((school) => school.id)).to.deep.equal([w.own.id]);
    });

    it('refuse an explicit allocation to an unknown or out-of-scope invoice alike for a scoped caller; admins learn which', async () => {
      const w = await world();
      const pay = (invoiceId: string, visibleSchools: ReadonlySet<SchoolId> | null) =>
        outcome(
          w.useCases.createPayment.execute({
            studentId: w.ownStudent.id,
            amountMinor: 100n,
            paidAt: null,
            method: 'CASH',
            reference: '',
            allocations: [{ invoiceId: invoiceId as InvoiceId, amountMinor: 100n }],
            idempotencyKey: null,
            visibleSchools,
          }),
        );
      const scope = new Set([w.own.id]);
      const outside = await pay(w.otherInvoice.id, scope);
      expect(outside).to.include({ reason: 'ACCESS_DENIED', field: 'allocations[0].invoice_id' });
      expect(await pay(UNKNOWN, scope)).to.deep.equal(outside);
      expect(await pay(w.otherInvoice.id, null)).to.include({ reason: 'ALLOCATION_INVOICE_MISMATCH' });
      expect(await pay(UNKNOWN, null)).to.include({ reason: 'INVOICE_NOT_FOUND' });
    });
  });

  it('re-check the student\'s school under the row lock: a transfer that lands after authorization does not let a write through', async () => {
    const w = await world();
    const moving = await w.given.student(w.own.id);
    // Authorized while the student was at the caller's school; then an admin moves the student.
    expect(await outcome(w.authorize.execute(w.scoped, [{ kind: 'student', id: moving.id }]))).to.equal('allowed');
    await w.useCases.updateStudent.execute({ id: moving.id, schoolId: w.other.id });
    const scope = new Set([w.own.id]);

    const writes = {
      invoice: await outcome(
        w.useCases.createInvoice.execute({
          studentId: moving.id,
          description: 'Late',
          amountMinor: 100n,
          issueDate: null,
          dueDate: '2026-04-30' as never,
          idempotencyKey: null,
          visibleSchools: scope,
        }),
      ),
      payment: await outcome(
        w.useCases.createPayment.execute({
          studentId: moving.id,
          amountMinor: 100n,
          paidAt: null,
          method: 'CASH',
          reference: '',
          allocations: [],
          idempotencyKey: null,
          visibleSchools: scope,
        }),
      ),
      rename: await outcome(w.useCases.updateStudent.execute({ id: moving.id, lastName: 'Moved', visibleSchools: scope })),
      delete: await outcome(w.useCases.deleteStudent.execute(moving.id, scope)),
    };
    for (const [write, answer] of Object.entries(writes)) expect(answer, write).to.include({ reason: 'ACCESS_DENIED' });
    expect([...w.state.invoices.values()].filter((invoice) => invoice.studentId === moving.id)).to.deep.equal([]);
    expect([...w.state.payments.values()].filter((payment) => payment.studentId === moving.id)).to.deep.equal([]);
    expect(w.state.students.get(moving.id)!.lastName).to.equal('Lovelace');
  });

  describe('Authenticate', () => {
    it('needs a token when a verifier is configured, and lets everyone in as an unauthenticated admin when off', async () => {
      const verifier = { verify: async () => ({ role: 'admin', subject: 'x' }) as Actor };
      expect(await outcome(new Authenticate(verifier).execute(null))).to.include({ reason: 'AUTH_TOKEN_MISSING' });
      expect(await new Authenticate(verifier).execute('t')).to.deep.equal({ role: 'admin', subject: 'x' });
      expect(await new Authenticate(null).execute(null)).to.equal(UNAUTHENTICATED_ADMIN);
    });
  });

  describe('claims → actor', () => {
    const school = '0198A8E2-7C1B-7000-8000-000000000001';
    it('accepts admin and school roles, normalising school ids', () => {
      expect(actorFromClaims({ sub: 'ops', role: 'admin' })).to.deep.equal({ role: 'admin', subject: 'ops' });
      expect(actorFromClaims({ sub: 'portal', role: 'school', school_ids: [school] })).to.deep.equal({
        role: 'school',
        subject: 'portal',
        schoolIds: new Set([school.toLowerCase()]),
      });
    });

    it('refuses anything else as AUTH_TOKEN_INVALID', () => {
      for (const claims of [
        { role: 'admin' },
        { sub: '', role: 'admin' },
        { sub: 'x', role: 'root' },
        { sub: 'x' },
        { sub: 'x', role: 'school' },
        { sub: 'x', role: 'school', school_ids: [] },
        { sub: 'x', role: 'school', school_ids: 'abc' },
        { sub: 'x', role: 'school', school_ids: ['not-a-uuid'] },
        { sub: 'x', role: 'school', school_ids: [42] },
        { sub: 'x', role: 'school', school_ids: Array.from({ length: 1001 }, () => school) },
      ]) {
        expect(() => actorFromClaims(claims), JSON.stringify(claims).slice(0, 80)).to.throw().with.property('reason', 'AUTH_TOKEN_INVALID');
      }
    });
  });
});
