import { relative } from 'node:path';
import { formatJUnit, type JUnitCase } from '../report/junit.js';
import { shellLine } from '../report/shell.js';
import { propertyOf } from '../runner/properties.js';
import type { CampaignResult, FoundCase } from './campaign.js';

/**
 * `poolcheck fuzz --junit`: a suite per adapter, with one test case for the campaign (it passes
 * when nothing was found) and one failed test case per bug found (per case file: failures of a bug
 * the corpus keeps once are one test case, with their count), named after its property and file,
 * with the violation, the file and the commands that rerun it.
 */
export function junitFromCampaign(result: CampaignResult, label: (c: FoundCase['adapter']) => string): string {
  const shard = `${result.shard.index}/${result.shard.count}`;
  const suites = result.perAdapter.map((a) => {
    const name = label(a.adapter);
    const classname = `poolcheck.fuzz.${a.adapter.adapter.name}`;
    const timeSec = a.wallMs / 1000;
    const cases: JUnitCase[] = [
      {
        name: `fuzz campaign (seed ${result.seed}, shard ${shard})`,
        classname,
        timeSec,
        output: `${a.runs} runs, ${a.commands} commands, ${a.failures} failure(s) found${result.interrupted ? '; interrupted' : ''}`,
      },
    ];
    const groups = new Map<string, { c: FoundCase; count: number }>();
    for (const c of result.found.filter((f) => f.adapter === a.adapter)) {
      const key = c.saved === null || c.saved.status === 'unsaved' ? `case ${groups.size}` : c.saved.file;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, { c, count: 1 });
      else g.count++;
    }
    for (const { c, count } of groups.values()) {
      const v = c.failure.violation;
      const status = { saved: 'new', known: 'already known', duplicate: 'already known', unsaved: 'NOT SAVED: the corpus cannot be written' } as const;
      const file = c.saved === null ? 'not saved' : `${relative(process.cwd(), c.saved.file)} (${status[c.saved.status]})`;
      const rerun = [
        c.saved === null || c.saved.status === 'unsaved' ? null : shellLine(['poolcheck', 'replay', relative(process.cwd(), c.saved.file)]),
        shellLine(['poolcheck', 'check', '--adapter', name, '--seed', String(c.job.seed), '--path', c.failure.path, ...(c.failure.replayPath === null ? [] : ['--replay-path', c.failure.replayPath])]),
      ].filter((l) => l !== null);
      cases.push({
        name: `${propertyOf(v.kind).title}: ${file}`,
        classname,
        timeSec: 0,
        failure: {
          message: `${v.kind}: ${v.message}`,
          type: v.kind,
          body: [`Violation: ${v.message}`, `Failures of this bug in the campaign: ${count}`, `Config: minSize ${c.failure.config.minSize}, maxSize ${c.failure.config.maxSize}, lifetime ${c.failure.config.lifetimeMs} ms`, `Steps: ${JSON.stringify(c.failure.steps)}`, `Case file: ${file}`, 'Rerun:', ...rerun.map((l) => `  ${l}`)].join('\n'),
        },
      });
    }
    return { name, timeSec, cases };
  });
  return formatJUnit(suites, 'poolcheck fuzz');
}
