import type { CurrentVersion, StatementVersionSource } from '../../src/application/ports/statement-versions.js';
import type { SchoolId, StudentId } from '../../src/domain/ids.js';
import type { InMemoryState } from './in-memory-state.js';

/** Current versions from the fake's state; counts its reads. */
export class InMemoryStatementVersions implements StatementVersionSource {
  reads = 0;

  constructor(private readonly state: InMemoryState) {}

  async students(ids: readonly StudentId[]): Promise<Map<StudentId, CurrentVersion>> {
    this.reads += 1;
    const found = new Map<StudentId, CurrentVersion>();
    for (const id of ids) {
      const student = this.state.students.get(id);
      const school = student && this.state.schools.get(student.schoolId);
      if (!student || !school) continue;
      found.set(id, { version: this.state.studentVersions.get(id) ?? 0n, epoch: this.state.epoch, schoolId: school.id, timezone: school.timezone });
    }
    return found;
  }

  async schools(ids: readonly SchoolId[]): Promise<Map<SchoolId, CurrentVersion>> {
    this.reads += 1;
    const found = new Map<SchoolId, CurrentVersion>();
    for (const id of ids) {
      const school = this.state.schools.get(id);
      if (school) found.set(id, { version: this.state.schoolVersions.get(id) ?? 0n, epoch: this.state.epoch, schoolId: school.id, timezone: school.timezone });
    }
    return found;
  }
}
