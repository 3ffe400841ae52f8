import type { HeapProfiler, Profiler } from 'node:inspector';
import { describe, expect, it } from 'vitest';
import { bytesAllocated, msByPart, partOfUrl } from './profile.js';

const BUILD = 'file:///work/poolcheck/node_modules/.cache/poolcheck-bench/src';

describe('partOfUrl', () => {
  it("puts poolcheck's folders in their parts, from the sources or the bench's build", () => {
    expect(partOfUrl(`${BUILD}/model/reconcile.js`)).toBe('model');
    expect(partOfUrl('file:///work/poolcheck/src/runner/harness.ts')).toBe('harness');
    expect(partOfUrl(`${BUILD}/commands/acquire.js`)).toBe('commands');
    expect(partOfUrl(`${BUILD}/bench/bare.js`)).toBe('bench');
    for (const folder of ['pool', 'clock', 'connectors', 'adapters']) expect(partOfUrl(`${BUILD}/${folder}/x.js`)).toBe("pool's side");
  });

  it("counts installed packages as the pool's side, node's own modules as nobody's, the profiler apart", () => {
    expect(partOfUrl('file:///work/poolcheck/node_modules/pg-mem/index.js')).toBe("pool's side");
    expect(partOfUrl('/work/poolcheck/node_modules/@sinonjs/fake-timers/src/fake-timers-src.js')).toBe("pool's side");
    expect(partOfUrl('node:internal/process/task_queues')).toBeNull();
    expect(partOfUrl('')).toBeNull();
    expect(partOfUrl(`${BUILD}/bench/profile.js`)).toBe('profiler');
  });
});

/** A profile from `[id, parent, url, functionName]` rows and the samples `[id, µs]`. */
function profile(rows: readonly [number, number | null, string, string][], samples: readonly [number, number][]): Profiler.Profile {
  const nodes: Profiler.ProfileNode[] = rows.map(([id, , url, functionName]) => ({
    id,
    callFrame: { functionName, scriptId: '0', url, lineNumber: 0, columnNumber: 0 },
    children: rows.filter(([, parent]) => parent === id).map(([child]) => child),
  }));
  return { nodes, startTime: 0, endTime: 0, samples: samples.map(([id]) => id), timeDeltas: samples.map(([, us]) => us) };
}

describe('msByPart', () => {
  const tree = profile(
    [
      [1, null, '', '(root)'],
      [2, 1, `${BUILD}/runner/run-once.js`, 'runOnce'],
      [3, 2, 'node:internal/process/task_queues', 'processTicksAndRejections'],
      [4, 1, 'file:///work/poolcheck/node_modules/pg-mem/index.js', 'query'],
      [5, 4, `${BUILD}/model/state.js`, 'findConn'],
      [6, 1, '', '(garbage collector)'],
      [7, 1, '', '(idle)'],
      [8, 1, 'node:internal/per_context/messageport', 'oninit'],
      [9, 1, `${BUILD}/bench/profile.js`, 'cpu'],
      [10, 9, '', 'dispatch'],
    ],
    [
      [3, 1000],
      [2, 500],
      [4, 2000],
      [5, 250],
      [6, 3000],
      [7, 100],
      [8, 400],
      [10, 9000],
    ],
  );
  const ms = msByPart(tree);

  it('gives a sample in node to the code that called it, and the innermost part wins', () => {
    expect(ms.get('harness')).toBeCloseTo(1.5);
    expect(ms.get("pool's side")).toBeCloseTo(2);
    expect(ms.get('model')).toBeCloseTo(0.25);
  });

  it("keeps V8's own entries apart, and leaves the profiler's own time out", () => {
    expect(ms.get('collector')).toBeCloseTo(3);
    expect(ms.get('idle')).toBeCloseTo(0.1);
    expect(ms.get('node and V8')).toBeCloseTo(0.4);
    const counted = [...ms.values()].reduce((a, b) => a + b, 0);
    expect(counted).toBeCloseTo(7.25);
  });
});

describe('bytesAllocated', () => {
  it('sums every node of the sampled tree', () => {
    const frame = { functionName: '', scriptId: '0', url: '', lineNumber: 0, columnNumber: 0 };
    const node = (selfSize: number, children: HeapProfiler.SamplingHeapProfileNode[] = []): HeapProfiler.SamplingHeapProfileNode => ({ callFrame: frame, selfSize, children });
    expect(bytesAllocated({ head: node(10, [node(32, [node(64)]), node(0)]) })).toBe(106);
  });
});
