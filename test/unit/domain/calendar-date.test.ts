import { expect } from 'chai';
import { addDays, dateInTimezone, daysBetween, isCalendarDate, parseCalendarDate } from '../../../src/domain/calendar-date.js';
import { DomainError } from '../../../src/domain/errors.js';

describe('calendar dates', () => {
  it('accepts real dates only, in YYYY-MM-DD form', () => {
    expect(isCalendarDate('2024-02-29')).to.equal(true);
    for (const bad of ['2023-02-29', '2024-13-01', '2024-00-10', '2024-1-01', '24-01-01', '2024-01-01T00:00', '', '1899-12-31']) {
      expect(isCalendarDate(bad), bad).to.equal(false);
    }
  });

  it('names the field of a bad date', () => {
    expect(() => parseCalendarDate('2024-02-30', 'due_date'))
      .to.throw(DomainError)
      .with.property('field', 'due_date');
  });

  it('counts whole days across month, year and DST boundaries', () => {
    expect(daysBetween(parseCalendarDate('2024-02-28', 'd'), parseCalendarDate('2024-03-01', 'd'))).to.equal(2);
    expect(daysBetween(parseCalendarDate('2024-12-31', 'd'), parseCalendarDate('2025-01-01', 'd'))).to.equal(1);
    expect(daysBetween(parseCalendarDate('2024-03-30', 'd'), parseCalendarDate('2024-04-01', 'd'))).to.equal(2);
    expect(addDays(parseCalendarDate('2024-02-28', 'd'), 1)).to.equal('2024-02-29');
  });

  it('reads today in the school timezone, not the server one', () => {
    const instant = new Date('2026-03-10T03:30:00Z');
    expect(dateInTimezone(instant, 'UTC')).to.equal('2026-03-10');
    expect(dateInTimezone(instant, 'America/Bogota')).to.equal('2026-03-09');
    expect(dateInTimezone(new Date('2026-03-10T20:30:00Z'), 'Asia/Tokyo')).to.equal('2026-03-11');
  });
});
