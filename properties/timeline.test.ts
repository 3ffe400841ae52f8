import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adapter as offByOne } from '../fixtures/mutants/off-by-one-lifetime.js';
import { adapter as timerNotCancelled } from '../fixtures/mutants/timer-not-cancelled-on-acquire.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import type { CommandJson } from '../src/commands/json.js';
import { renderTimelineAscii } from '../src/report/timeline-ascii.js';
import { renderTimelineHtml } from '../src/report/timeline-html.js';
import { divergingStep, type TimelineInput } from '../src/report/timeline-layout.js';
import { replay } from '../src/runner/replay.js';
import type { RunOutcome } from '../src/runner/run-once.js';

afterEach(() => uninstallAllClocks());

const config = { minSize: 0, maxSize: 2, lifetimeMs: 1000 };
/**
 * Two connections, #1 queried; the loop is blocked past both deadlines and an acquire issued as it
 * wakes gets #2 (LIFO). #1 expires as it should; the mutant's stale timer also closes #2, in use.
 */
const steps: CommandJson[] = [
  { op: 'acquire' },
  { op: 'acquire' },
  { op: 'query', connection: 1, sql: 'SELECT 1' },
  { op: 'release', connection: 1 },
  { op: 'sleep', ms: 500 },
  { op: 'release', connection: 2 },
  { op: 'blockingSleep', ms: 1000, acquireOnWake: true },
];

let broken: RunOutcome;
let fixed: RunOutcome;
beforeAll(async () => {
  broken = await replay(timerNotCancelled, config, steps);
  fixed = await replay(ownPoolAdapter(), config, steps);
  uninstallAllClocks();
});

const input = (outcome: RunOutcome, adapter = 'mutant'): TimelineInput => ({ adapter, config, semantics: timerNotCancelled.semantics, outcome });

describe('recorded timeline data', () => {
  it('carries both sides of the counters as numbers, and each connection’s life', () => {
    const last = broken.trace.at(-1)!;
    expect(broken.violation?.kind).toBe('destroyed-in-use');
    expect(last.expected).toEqual({ idle: 0, size: 1, waiting: 0 });
    expect(last.actual).toEqual({ idle: 0, size: 0, waiting: 0 });
    const kinds = (id: number) => broken.timeline!.lifelines.find((l) => l.id === id)!.marks.map((m) => `${m.kind}@${m.at}/${m.step}`);
    expect(kinds(1)).toEqual(['create@0/1', 'acquire@0/1', 'query@0/3', 'release@0/4', 'destroy@1500/7']);
    expect(kinds(2)).toEqual(['create@0/2', 'acquire@0/2', 'release@500/6', 'acquire@1500/7', 'destroy@1500/7']);
    const windows = broken.timeline!.lifelines.map((l) => l.expiries.map((w) => ({ from: w.from, to: w.to, ended: w.ended })));
    // #2's idle period ran into its deadline: the acquire came as it was due.
    expect(windows).toEqual([[{ from: 1000, to: 1000, ended: null }], [{ from: 1500, to: 1500, ended: { by: 'acquire', at: 1500 } }]]);
  });

  it('is only kept when recording: a passing replay of the fixed pool has it, with no divergence', () => {
    expect(fixed.violation).toBeNull();
    expect(fixed.timeline?.lifelines.map((l) => l.id)).toEqual([1, 2]);
    expect(divergingStep(fixed.trace)).toBeNull();
    expect(divergingStep(broken.trace)).toBe(7);
  });

  it('shows a release handed straight to a waiter as a release and an acquire, and the waiting counts', async () => {
    const waits = await replay(ownPoolAdapter(), { minSize: 0, maxSize: 1, lifetimeMs: 1000 }, [
      { op: 'acquire' },
      { op: 'burst', count: 2 },
      { op: 'release', connection: 1 },
      { op: 'release', connection: 1 },
      { op: 'release', connection: 1 },
    ]);
    expect(waits.violation).toBeNull();
    expect(waits.timeline!.lifelines[0]!.marks.map((m) => `${m.kind}@${m.step}`)).toEqual(['create@1', 'acquire@1', 'release@3', 'acquire@3', 'release@4', 'acquire@4', 'release@5', 'destroy@6']);
    const text = renderTimelineAscii({ adapter: 'own', config, outcome: waits });
    expect(text).toMatch(/^wait {2}model +0 +0 +2 +1 +0 /m);
    expect(text).toMatch(/^#1 +\*A=+RA=+RA=+R-+X$/m);
  });
});

describe('the terminal timeline', () => {
  it('marks the diverging step, the differing pool value, and each lifeline’s marks in order', () => {
    const text = renderTimelineAscii(input(broken));
    const lines = text.split('\n');
    const column = lines.findIndex((l) => l.includes('v step 7'));
    expect(column).toBeGreaterThan(-1);
    const x = lines[column]!.indexOf('v');
    const row = (label: string) => lines.find((l) => l.startsWith(label))!;
    expect(row('#1').trimEnd()).toMatch(/\*A=+q=+R-+E-*X$/);
    expect(row('#2').slice(x)).toMatch(/^E?AX/);
    expect(row('#2')).toMatch(/\*A=+R-+/);
    expect(lines.find((l) => l.startsWith('size  model'))!.slice(x).trim()).toBe('1');
    expect(lines[lines.indexOf(row('size  model')) + 1]!.slice(x).trim()).toBe('0!');
    expect(lines.find((l) => l.trimEnd().endsWith('^'))!.indexOf('^')).toBe(x);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    expect(text).not.toContain('\x1b[');
  });

  it('colours only when asked', () => {
    expect(renderTimelineAscii(input(broken), { color: true })).toContain('\x1b[31m');
  });

  it('shows an expiry that came due while the pool kept the connection (off by one)', async () => {
    const outcome = await replay(offByOne, { minSize: 0, maxSize: 1, lifetimeMs: 1 }, [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'sleep', ms: 1 }]);
    expect(outcome.violation?.kind).toBe('outlived');
    const text = renderTimelineAscii({ adapter: 'off by one', config: { minSize: 0, maxSize: 1, lifetimeMs: 1 }, outcome });
    // Due at 1 ms, still idle after it: the line goes on past the E.
    expect(text).toMatch(/^#1\s+\*A=*R-*E-+$/m);
    expect(text).toMatch(/^idle {2}model.*\b0$/m);
    expect(text).toMatch(/^\s+pool .*1!$/m);
  });

  it('fits a long run into 100 columns, leaving out early steps but never the diverging one', async () => {
    const long: CommandJson[] = [];
    for (let i = 0; i < 40; i++) long.push({ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'sleep', ms: 10 });
    long.push({ op: 'sleep', ms: 1000 }, { op: 'acquire' });
    const outcome = await replay(offByOne, { minSize: 0, maxSize: 1, lifetimeMs: 1000 }, long);
    const diverge = divergingStep(outcome.trace)!;
    expect(outcome.violation?.kind).toBe('outlived');
    const text = renderTimelineAscii({ adapter: 'off by one', config, outcome });
    for (const l of text.split('\n')) expect(l.length).toBeLessThanOrEqual(100);
    expect(text).toMatch(/^steps 0-\d+ left out to fit$/m);
    const lines = text.split('\n');
    const note = lines.find((l) => l.includes(`step ${diverge}`) && l.includes('model and pool part here'))!;
    expect(note).toBeDefined();
    // The mark stands over the diverging column, where #1 finally closed, 1 ms after it was due.
    const x = note.indexOf('v');
    expect(lines.find((l) => l.trimEnd().endsWith('^'))!.indexOf('^')).toBe(x);
    expect(lines.find((l) => l.startsWith('#1'))!).toMatch(/R-+EX$/);
  });
});

describe('the HTML page', () => {
  it('highlights the diverging step in the charts and the table, and draws both lifelines with their marks', () => {
    const html = renderTimelineHtml(input(broken));
    expect(html).toMatch(/<rect class="diverge-band" data-step="7"/);
    expect(html).toMatch(/<tr class="diverge violation" data-step="7">/);
    expect(html.match(/<tr class="diverge/g)).toHaveLength(1);
    expect(html).toMatch(/<g class="chart" data-chart="idle">.*<polyline class="line pool".*<polyline class="line model"/s);
    expect(html).toContain('<g class="chart" data-chart="size">');
    expect(html).not.toContain('data-chart="waiting"');
    const lane = (id: number) => html.slice(html.indexOf(`data-connection="${id}"`), html.indexOf('</g>', html.indexOf(`data-connection="${id}"`)));
    for (const mark of ['create', 'acquire', 'query', 'release', 'expiry', 'destroy']) expect(lane(1)).toContain(`class="mark ${mark}"`);
    expect(lane(2).match(/class="mark acquire"/g)).toHaveLength(2);
    expect(lane(2)).not.toContain('class="mark query"');
    expect(html).toContain('<title>poolcheck replay: mutant, minSize 0, maxSize 2, lifetime 1000 ms: destroyed-in-use</title>');
  });

  it('escapes every text and refers to nothing outside the page', () => {
    const evil = renderTimelineHtml(input(broken, '<img src=x onerror="alert(1)"> & co'));
    expect(evil).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; co');
    expect(evil).not.toContain('<img');
    expect(evil).not.toMatch(/<script|<link|<img|<iframe|https?:|url\(|@import|@font-face/i);
    // No tag loads anything: no src or href attribute.
    expect(evil).not.toMatch(/<[^>]*\s(src|href)=/i);
  });

  it('says so when model and pool agreed throughout', () => {
    const html = renderTimelineHtml(input(fixed, 'own'));
    expect(html).toContain('Model and pool agreed at every step.');
    expect(html).not.toContain('class="diverge');
  });
});
