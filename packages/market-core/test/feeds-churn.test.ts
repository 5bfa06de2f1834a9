import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./scripts/feeds-churn.ts', import.meta.url));
const cwd = fileURLToPath(new URL('..', import.meta.url));

interface ChurnResult {
  mode: string;
  cycles: number;
  counts: { feeds: number; listeners: number; pollers: number; timers: number };
  stats: { active: number; subscribers: number };
  timersBack: boolean;
  sampled: number;
  alive: number;
  heapGrowthBytes: number;
}

describe('feed hub churn (separate node --expose-gc process)', () => {
  it('leaves no feed, subscriber, timer or retained subscription after 10,000 subscribe/unsubscribe cycles', async () => {
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
      cwd,
      timeout: 120_000,
    });
    const results = JSON.parse(stdout.trim().split('\n').at(-1)!) as ChurnResult[];
    expect(results.map((r) => r.mode)).toEqual(['poll', 'auto']);
    for (const r of results) {
      expect(r.cycles).toBe(10_000);
      expect(r.counts).toEqual({ feeds: 0, listeners: 0, pollers: 0, timers: 0 });
      expect(r.stats).toMatchObject({ active: 0, subscribers: 0 });
      expect(r.timersBack).toBe(true);
      expect(r.sampled).toBe(200);
      expect(r.alive).toBe(0);
      // near the baseline: well under 1 MB for 10,000 cycles (about 100 bytes a cycle)
      expect(r.heapGrowthBytes).toBeLessThan(1024 * 1024);
    }
  }, 150_000);
});
