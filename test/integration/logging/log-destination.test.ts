/**
 * The service's log destination over a real pipe whose reader stopped: lines
 * gather in memory up to the bound, then are dropped and counted, so every
 * line is either delivered or counted (and the count is exported), never
 * lost unseen.
 */
import { expect } from 'chai';
import { countDroppedLines, createLogger, stdoutDestination } from '../../../src/infrastructure/logging/logger.js';
import { ServiceMetrics } from '../../../src/infrastructure/metrics/prometheus.js';
import { NamedPipe } from '../../support/named-pipe.js';

const LINES = 3_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('log destination (a real pipe)', function () {
  this.timeout(30_000);
  let pipe: NamedPipe | undefined;

  afterEach(() => pipe?.close());

  it('drops lines beyond its bound while the reader is stopped, counts them, and delivers the rest', async () => {
    pipe = new NamedPipe();
    // ~200 bytes a line, 600 KB in all: far beyond the 64 KiB pipe plus the 64 KiB bound.
    const destination = stdoutDestination({ fd: pipe.writeFd, maxBytes: 64 * 1024 });
    const dropped = countDroppedLines(destination);
    const logger = createLogger('info', destination);
    for (let i = 0; i < LINES; i += 1) logger.info({ line: i, padding: 'x'.repeat(120) }, 'filler');
    await sleep(300);
    expect(dropped(), 'lines beyond the bound are dropped while nobody reads').to.be.greaterThan(LINES / 2);

    const delivered = (text: string) => text.split('\n').filter((line) => line.includes('"msg":"filler"')).length;
    const text = await pipe.until((read) => delivered(read) + dropped() >= LINES, 10_000);
    expect(delivered(text) + dropped()).to.equal(LINES);
    expect(delivered(text)).to.be.greaterThan(0);
    const metrics = new ServiceMetrics();
    metrics.observeDroppedLogLines(dropped);
    expect((await metrics.exposition()).body).to.include(`billing_log_lines_dropped_total ${dropped()}\n`);
    destination.destroy();
  });
});
