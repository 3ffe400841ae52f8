import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { uninstallAllClocks } from '../../src/clock/fake.js';
import { renderTimelineAscii } from '../../src/report/timeline-ascii.js';
import { renderTimelineHtml } from '../../src/report/timeline-html.js';
import type { TimelineInput } from '../../src/report/timeline-layout.js';
import type { Lifeline, LifelineMark, TraceStep } from '../../src/runner/trace.js';
import { cli } from '../support/cli.js';

afterEach(() => {
  uninstallAllClocks();
  vi.restoreAllMocks();
});

/**
 * A recorded run of `n` steps, built directly: one connection acquired and released in turn, a
 * millisecond a step, its expiry window after every release; at `diverge` the pool reports the
 * connection gone while the model still has it idle.
 */
function longRun(n: number, diverge: number | null): TimelineInput {
  const steps: TraceStep[] = [];
  const marks: LifelineMark[] = [{ kind: 'create', at: 0, step: 0 }];
  const expiries: Lifeline['expiries'][number][] = [];
  for (let i = 0; i < n; i++) {
    const busy = i % 2 === 0;
    const broken = diverge !== null && i === diverge;
    const expected = { idle: busy ? 0 : 1, size: 1, waiting: 0 };
    const actual = broken ? { idle: 0, size: 0, waiting: 0 } : expected;
    steps.push({ index: i, command: busy ? 'acquire()' : 'release(#1)', at: i, predicted: `idle=${expected.idle}`, observed: `idle=${actual.idle}`, expected, actual, ...(broken ? { violation: 'connection #1 closed early' } : {}) });
    marks.push({ kind: busy ? 'acquire' : 'release', at: i, step: i });
    if (!busy) expiries.push({ idleSince: i, from: i + 5, to: i + 5, reason: 'timer', ended: { by: 'acquire', at: i + 1 } });
  }
  return {
    adapter: 'synthetic',
    config: { minSize: 0, maxSize: 1, lifetimeMs: 5 },
    outcome: { violation: diverge === null ? null : { kind: 'expired-early', at: diverge, message: 'connection #1 closed early' }, trace: steps, commands: n, commandList: [], virtualMs: n, timeline: { events: [], lifelines: [{ id: 1, marks, expiries }] } },
  };
}

describe('long traces', () => {
  it('a 100,000-step run draws both timelines, summarised around where model and pool part', () => {
    const input = longRun(100_000, 60_001);
    const ascii = renderTimelineAscii(input);
    expect(ascii).toMatch(/(v step 60001: model and pool part here|model and pool part here: step 60001 v)/);
    expect(ascii).toMatch(/^steps \d+-\d+ of 100000 drawn; the others left out to fit$/m);
    expect(ascii.split('\n').every((l) => l.length <= 100)).toBe(true);
    const html = renderTimelineHtml(input);
    expect(html).toContain('data-step="60001"');
    expect(html).toMatch(/A long run: of its 100000 steps, the timeline draws steps 59961 to 60011 and the table lists 0 to 19 and 59961 to 60011/);
    expect(html).toContain('steps 20 to 59960 left out (59941 steps)');
    expect(html).toContain('steps 60012 to 99999 left out (39988 steps)');
    expect(html.length).toBeLessThan(200_000);
  });

  it('the work is linear: 100,000 steps render well inside a bound no per-step rescan could meet', () => {
    // The drawing work is bounded (a window of steps) and the rest is one pass over the steps and
    // marks: tens of milliseconds. A ratio of two sizes measures noise at that scale, so the bound
    // is absolute and generous: a quadratic pass over 100,000 steps is 10^10 operations.
    const input = longRun(100_000, 99_990);
    const started = performance.now();
    for (let i = 0; i < 3; i++) {
      renderTimelineAscii(input);
      renderTimelineHtml(input);
    }
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('poolcheck replay of a long saved case prints the first steps and the end, with both timelines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poolcheck-long-'));
    const base = JSON.parse(await readFile('fixtures/regressions/own/0141ac44d318.json', 'utf8')) as Record<string, unknown>;
    const steps = Array.from({ length: 1_500 }, (_, i) => [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'sleep', ms: 1 }][i % 3]);
    const file = join(dir, 'long.json');
    await writeFile(file, JSON.stringify({ ...base, config: { minSize: 0, maxSize: 1, lifetimeMs: 1_000_000 }, steps, expect: { verdict: 'pass' } }));
    const { code, out } = await cli('replay', file, '--html', join(dir, 'long.html'));
    expect(code, out).toBe(0);
    expect(out).toMatch(/^ {3}\.\.\. steps 20 to \d+ left out \(\d+ steps; --json lists every step\)$/m);
    expect(out).toMatch(/^ {2}1502\. t=500 ms {2}close\(\) at end of run: resolves$/m);
    expect(out).toMatch(/^steps 0-\d+ left out to fit$/m);
    expect(out).toContain('Expectation holds: passes, as expected (1500 commands)');
    expect(await readFile(join(dir, 'long.html'), 'utf8')).toMatch(/A long run: of its 1503 steps/);
  });
});
