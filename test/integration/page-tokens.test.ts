import { expect } from 'chai';
import { DomainError } from '../../src/domain/errors.js';
import { type PageKey, decodePageToken, encodePageToken, keysetPage } from '../../src/infrastructure/postgres/page-tokens.js';

const KEY: PageKey = { list: 'invoices', parts: ['date', 'date', 'integer', 'uuid'] };
const VALUES = ['2026-02-01', '2026-01-02', '1000000', '0b9d6c52-4a4e-4d7f-8e1a-3c1f2b5d6e7f'];

function refused(token: string, key: PageKey = KEY): void {
  expect(() => decodePageToken(key, token), token).to.throw(DomainError).with.property('reason', 'INVALID_PAGE_TOKEN');
}

describe('keyset page tokens', () => {
  it('round-trip the sort key of the last row', () => {
    const token = encodePageToken(KEY, VALUES);
    expect(token).to.match(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(KEY, token)).to.deep.equal(VALUES);
    const instants: PageKey = { list: 'payments', parts: ['instant', 'instant', 'uuid'] };
    const keyed = ['2026-03-01T09:30:00.123Z', '1900-01-01T00:00:00.000Z', VALUES[3]!];
    expect(decodePageToken(instants, encodePageToken(instants, keyed))).to.deep.equal(keyed);
  });

  it('refuse tokens of another list, of another shape, or with bad parts', () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    refused(encodePageToken({ list: 'schools', parts: ['uuid'] }, [VALUES[3]!]));
    refused(encode(['invoices', ...VALUES.slice(0, 3)]));
    refused(encode(['invoices', ...VALUES, 'extra']));
    refused(encode({ list: 'invoices' }));
    refused(encode(['invoices', '2026-02-30', ...VALUES.slice(1)]));
    refused(encode(['invoices', VALUES[0], VALUES[1], '1.5', VALUES[3]]));
    refused(encode(['invoices', VALUES[0], VALUES[1], '01', VALUES[3]]));
    refused(encode(['invoices', VALUES[0], VALUES[1], 1000000, VALUES[3]]));
    refused(encode(['invoices', VALUES[0], VALUES[1], VALUES[2], 'not-a-uuid']));
    refused(encode(['invoices', VALUES[0], VALUES[1], VALUES[2], VALUES[3]!.toUpperCase()]));
    refused(encode(['invoices', VALUES[0], VALUES[1], "1; DROP TABLE invoices", VALUES[3]]));
    const instants: PageKey = { list: 'payments', parts: ['instant'] };
    refused(encode(['payments', '2026-03-01T09:30:00Z']), instants);
    refused(encode(['payments', '2026-02-30T09:30:00.000Z']), instants);
  });

  it('refuse anything that is not canonical base64url of UTF-8 JSON', () => {
    const token = encodePageToken(KEY, VALUES);
    refused('');
    refused(`${token}=`);
    refused(`${token}.`);
    refused(token.slice(0, -1));
    refused(Buffer.from('not json').toString('base64url'));
    refused(Buffer.from([0xff, 0xfe, 0x5b]).toString('base64url'));
    refused('A'.repeat(10_000));
  });

  it('cut pages from rows fetched with one extra', () => {
    const key: PageKey = { list: 'x', parts: ['integer'] };
    const rows = [1, 2, 3];
    expect(keysetPage(rows, { size: 3, token: null }, key, (n) => [String(n)])).to.deep.equal({ items: rows, nextToken: null });
    const page = keysetPage(rows, { size: 2, token: null }, key, (n) => [String(n)]);
    expect(page.items).to.deep.equal([1, 2]);
    expect(decodePageToken(key, page.nextToken!)).to.deep.equal(['2']);
  });
});
