/**
 * What an operator sees with redis-cli (SPEC §5, the seed's operator guide),
 * on a private redis-server: exact key names under the prefix, GET readable
 * as a header line and JSON, SCAN by pattern, DBSIZE, FLUSHALL; and the Lua
 * scripts each touching exactly one key.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ENVELOPE_FORMAT_VERSION } from '../../../src/infrastructure/cache/envelope.js';
import { JsonStatementCodec } from '../../../src/infrastructure/cache/json-statement-codec.js';
import { LUA_SCRIPT_FILES, scriptPath } from '../../../src/infrastructure/cache/lua-scripts.js';
import { RedisStatementCache } from '../../../src/infrastructure/cache/redis-statement-cache.js';
import { type RedisServer, startRedisServer } from '../../support/redis-server.js';
import { sampleSchoolStatement, sampleStudentStatement } from './statement-samples.js';

describe('Redis statement cache as operators see it', function () {
  this.timeout(30_000);
  let server: RedisServer;
  let raw: Redis;
  const codec = new JsonStatementCodec();

  before(async () => {
    server = await startRedisServer();
    raw = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    raw.disconnect();
    await server.stop();
  });

  function open(keyPrefix: string): RedisStatementCache {
    return new RedisStatementCache({ connection: { url: server.url }, keyPrefix, commandTimeoutMs: 1_000 });
  }

  it('names keys statement:student:{id} and statement:school:{id}, under the prefix when there is one', async () => {
    const bare = open('');
    const prefixed = open('billing:');
    await Promise.all([bare.ready(), prefixed.ready()]);
    const studentId = randomUUID();
    const schoolId = randomUUID();
    const stamp = { epoch: 0n, version: 1n, asOfDate: '2026-06-15' };
    await bare.fill(`statement:student:${studentId}`, stamp, '{}', 60);
    await prefixed.fill(`statement:school:${schoolId}`, stamp, '{}', 60);
    await prefixed.acquireLease(`statement:school:${schoolId}:lease`, 5_000);

    const scanned = (await server.cli('--scan', '--pattern', '*statement:*')).trim().split('\n').sort();
    expect(scanned).to.deep.equal(
      [`billing:statement:school:${schoolId}`, `billing:statement:school:${schoolId}:lease`, `statement:student:${studentId}`].sort(),
    );
    expect((await server.cli('--scan', '--pattern', 'statement:*')).trim()).to.equal(`statement:student:${studentId}`);
    expect((await server.cli('DBSIZE')).trim()).to.equal('3');
    expect(await bare.countKeys()).to.equal(1);
    expect(await prefixed.countKeys()).to.equal(1);
    await raw.flushall();
    await Promise.all([bare.close(), prefixed.close()]);
  });

  it('GET shows a JSON header line, then the statement as JSON', async () => {
    const cache = open('');
    await cache.ready();
    const statement = sampleStudentStatement();
    const key = `statement:student:${statement.student.id}`;
    await cache.fill(key, { epoch: 2n, version: 17n, asOfDate: statement.asOfDate }, codec.encodeStudent(statement), 3_600);

    const shown = await server.cli('--no-raw', 'GET', key);
    expect(shown.startsWith('"{\\"format\\":1,')).to.equal(true, shown.slice(0, 120));
    const value = await server.cli('--raw', 'GET', key);
    const newline = value.indexOf('\n');
    const header: unknown = JSON.parse(value.slice(0, newline));
    expect(header).to.deep.equal({ format: ENVELOPE_FORMAT_VERSION, epoch: '2', version: '17', asOf: statement.asOfDate, encoding: 'json' });
    const body = value.slice(newline + 1).trimEnd();
    expect(codec.decodeStudent(body)).to.deep.equal(statement);
    expect(JSON.parse(body)).to.have.nested.property('student.firstName', 'Amélie');
    const ttl = Number(await server.cli('TTL', key));
    expect(ttl).to.be.within(3_590, 3_600);
    await raw.flushall();
    await cache.close();
  });

  it('a large statement is gzipped behind the same readable header', async () => {
    const cache = open('');
    await cache.ready();
    const statement = sampleSchoolStatement(1_000);
    const key = `statement:school:${statement.school.id}`;
    const payload = codec.encodeSchool(statement);
    const { storedBytes } = await cache.fill(key, { epoch: 0n, version: 3n, asOfDate: statement.asOfDate }, payload, 60);
    expect(storedBytes).to.be.lessThan(Buffer.byteLength(payload) / 3);
    const value = await raw.getBuffer(key);
    const newline = value?.indexOf(0x0a) ?? -1;
    expect(JSON.parse(value?.subarray(0, newline).toString('utf8') ?? '')).to.include({ encoding: 'gzip+json', version: '3' });
    expect(value?.[newline + 1]).to.equal(0x1f); // gzip magic
    expect(value?.[newline + 2]).to.equal(0x8b);
    const entry = await cache.get(key);
    expect(codec.decodeSchool(entry?.payload ?? '')).to.deep.equal(statement);
    console.log(`      1,000-row school statement: ${Buffer.byteLength(payload).toLocaleString('en')} B JSON, ${storedBytes.toLocaleString('en')} B stored`);
    await raw.flushall();
    await cache.close();
  });

  it('FLUSHALL by an operator empties the cache: the next get misses and the next fill stores', async () => {
    const cache = open('ops:');
    await cache.ready();
    const key = `statement:student:${randomUUID()}`;
    const stamp = { epoch: 0n, version: 9n, asOfDate: '2026-06-15' };
    await cache.fill(key, stamp, '{}', 60);
    expect(await server.cli('FLUSHALL')).to.match(/OK/);
    expect(await cache.get(key)).to.equal(null);
    expect((await cache.fill(key, stamp, '{}', 60)).outcome).to.equal('stored');
    await raw.flushall();
    await cache.close();
  });

  describe('Lua scripts', () => {
    for (const file of Object.values(LUA_SCRIPT_FILES)) {
      it(`${file} touches only KEYS[1] and states its atomic contract`, () => {
        const source = readFileSync(scriptPath(file), 'utf8');
        expect(source).to.match(/^--\[\[[\s\S]*Atomic contract:[\s\S]*\]\]/);
        const code = source.replace(/--\[\[[\s\S]*?\]\]/g, '').replace(/--[^\n]*/g, '');
        const keyRefs = code.match(/KEYS\[[^\]]*\]/g) ?? [];
        expect(keyRefs.length).to.be.greaterThan(0);
        expect(new Set(keyRefs)).to.deep.equal(new Set(['KEYS[1]']));
        const calls = [...code.matchAll(/redis\.p?call\(\s*'(\w+)'\s*,\s*([^,)]+)/g)];
        expect(calls.length).to.be.greaterThan(0);
        for (const [, command, key] of calls) expect(key?.trim(), `${command} in ${file}`).to.equal('KEYS[1]');
        expect(code).not.to.match(/\bKEYS\b(?!\[1\])/);
      });
    }
  });
});
