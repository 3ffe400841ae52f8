import { mutants } from '/work/wt-i10-cmds/fixtures/mutants/index.js';
import { check } from '/work/wt-i10-cmds/src/runner/check.js';
const only = process.argv.slice(2);
for (const m of mutants) {
  if (only.length > 0 && !only.some((o) => m.file.includes(o))) continue;
  const row: string[] = [];
  for (const seed of [1, 2, 3, 4, 5]) {
    const r = await check({ adapter: m.adapter, seed });
    const f = r.failure;
    row.push(f === null ? `seed ${seed}: PASSED(!)` : `seed ${seed}: ${m.catches.includes(f.violation.kind) ? '' : 'WRONG '}${f.violation.kind} run ${r.runs} len ${f.length}${f.reproduced ? '' : ' NOT-REPRO'}`);
  }
  console.log(m.file, '\n  ' + row.join('\n  '));
}
