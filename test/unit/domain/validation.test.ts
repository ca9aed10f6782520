import { expect } from 'chai';
import { requireAllocationRequests } from '../../../src/domain/allocation.js';
import type { InvoiceId } from '../../../src/domain/ids.js';
import { parseId } from '../../../src/domain/ids.js';
import { pageRequest } from '../../../src/domain/page.js';
import { requireCurrencyCode, requireTimezone } from '../../../src/domain/school.js';
import { requireEmail, requireIdempotencyKey, requireText } from '../../../src/domain/text.js';

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { reason?: string; field?: string }).reason;
  }
  return 'no error';
};

describe('input rules', () => {
  it('ids are canonical UUIDs', () => {
    expect(parseId('6F9619FF-8B86-4011-B42D-00CF4FC964FF', 'id')).to.equal('6f9619ff-8b86-4011-b42d-00cf4fc964ff');
    expect(reasonOf(() => parseId('not-a-uuid', 'id'))).to.equal('INVALID_UUID');
    expect(reasonOf(() => parseId('', 'id'))).to.equal('FIELD_REQUIRED');
  });

  it('text refuses NUL and control characters, and is bounded', () => {
    expect(reasonOf(() => requireText('a\u0000b', 'name', { maxLength: 10 }))).to.equal('INVALID_TEXT');
    expect(reasonOf(() => requireText('a\nb', 'name', { maxLength: 10 }))).to.equal('INVALID_TEXT');
    expect(requireText('a\nb', 'description', { maxLength: 10, multiline: true })).to.equal('a\nb');
    expect(reasonOf(() => requireText('   ', 'name', { maxLength: 10 }))).to.equal('FIELD_REQUIRED');
    expect(reasonOf(() => requireText('x'.repeat(11), 'name', { maxLength: 10 }))).to.equal('TEXT_TOO_LONG');
    // Length is in characters, not UTF-16 units.
    expect(requireText('😀'.repeat(10), 'name', { maxLength: 10 })).to.have.length(20);
  });

  it('emails are optional but well formed', () => {
    expect(requireEmail('', 'email')).to.equal('');
    expect(reasonOf(() => requireEmail('nobody', 'email'))).to.equal('INVALID_EMAIL');
  });

  it('currencies are exact upper-case ISO-4217 codes', () => {
    expect(requireCurrencyCode('EUR', 'currency_code')).to.equal('EUR');
    for (const bad of ['eur', 'EURO', 'ABC', '']) expect(reasonOf(() => requireCurrencyCode(bad, 'currency_code')), bad).to.not.equal('no error');
  });

  it('timezones are IANA names, never offsets', () => {
    expect(requireTimezone('america/bogota', 'timezone')).to.equal('America/Bogota');
    expect(requireTimezone('UTC', 'timezone')).to.equal('UTC');
    for (const bad of ['+05:00', 'GMT+5:00', 'Mars/Olympus', '']) expect(reasonOf(() => requireTimezone(bad, 'timezone')), bad).to.not.equal('no error');
  });

  it('idempotency keys are up to 255 printable ASCII characters', () => {
    expect(requireIdempotencyKey('', 'idempotency_key')).to.equal(null);
    expect(requireIdempotencyKey('k'.repeat(255), 'idempotency_key')).to.have.length(255);
    expect(reasonOf(() => requireIdempotencyKey('k'.repeat(256), 'idempotency_key'))).to.equal('INVALID_IDEMPOTENCY_KEY');
    expect(reasonOf(() => requireIdempotencyKey('tab\tkey', 'idempotency_key'))).to.equal('INVALID_IDEMPOTENCY_KEY');
  });

  it('page sizes default to 100 and are capped at 1000', () => {
    expect(pageRequest(0, '')).to.deep.equal({ size: 100, token: null });
    expect(pageRequest(5000, 'abc')).to.deep.equal({ size: 1000, token: 'abc' });
    expect(reasonOf(() => pageRequest(-1, ''))).to.equal('INVALID_PAGE_SIZE');
  });

  it('explicit allocations are positive, on distinct invoices, and within the payment', () => {
    const a = 'a' as InvoiceId;
    const b = 'b' as InvoiceId;
    expect(reasonOf(() => requireAllocationRequests([{ invoiceId: a, amountMinor: 0n }], 10n))).to.equal('INVALID_AMOUNT');
    expect(
      reasonOf(() =>
        requireAllocationRequests(
          [
            { invoiceId: a, amountMinor: 1n },
            { invoiceId: a, amountMinor: 1n },
          ],
          10n,
        ),
      ),
    ).to.equal('DUPLICATE_ALLOCATION_TARGET');
    expect(
      reasonOf(() =>
        requireAllocationRequests(
          [
            { invoiceId: a, amountMinor: 6n },
            { invoiceId: b, amountMinor: 5n },
          ],
          10n,
        ),
      ),
    ).to.equal('ALLOCATIONS_EXCEED_PAYMENT');
  });
});
