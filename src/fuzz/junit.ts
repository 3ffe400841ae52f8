import { relative } from 'node:path';
import { formatJUnit, type JUnitCase } from '../report/junit.js';
import { propertyOf } from '../runner/properties.js';
import type { CampaignResult, FoundCase } from './campaign.js';

/**
 * `poolcheck fuzz --junit`: a suite per adapter, with one test case for the campaign (it passes
 * when nothing was found) and one failed test case per case found, named after its property and
 * file, with the violation, the file and the commands that rerun it.
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
    for (const c of result.found.filter((f) => f.adapter === a.adapter)) {
      const v = c.failure.violation;
      const file = c.saved === null ? 'not saved' : `${relative(process.cwd(), c.saved.file)} (${c.saved.status === 'saved' ? 'new' : 'already known'})`;
      const rerun = [
        c.saved === null ? null : `poolcheck replay ${relative(process.cwd(), c.saved.file)}`,
        `poolcheck check --adapter ${name} --seed ${c.job.seed} --path ${c.failure.path}${c.failure.replayPath === null ? '' : ` --replay-path '${c.failure.replayPath}'`}`,
      ].filter((l) => l !== null);
      cases.push({
        name: `${propertyOf(v.kind).title}: ${file}`,
        classname,
        timeSec: 0,
        failure: {
          message: `${v.kind}: ${v.message}`,
          type: v.kind,
          body: [`Violation: ${v.message}`, `Config: minSize ${c.failure.config.minSize}, maxSize ${c.failure.config.maxSize}, lifetime ${c.failure.config.lifetimeMs} ms`, `Steps: ${JSON.stringify(c.failure.steps)}`, `Case file: ${file}`, 'Rerun:', ...rerun.map((l) => `  ${l}`)].join('\n'),
        },
      });
    }
    return { name, timeSec, cases };
  });
  return formatJUnit(suites, 'poolcheck fuzz');
}
