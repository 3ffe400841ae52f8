import { describe, expect, it } from 'vitest';
import { check, checkRaces, DefinitionError, ownPoolAdapter, type CheckOptions, type RaceCheckOptions } from 'poolcheck';
import { poolProperties } from 'poolcheck/vitest';

// An option an entry point does not take is refused before any run, named with the one meant: a
// guessed name (`runs`) used to be ignored, and the run checked the defaults instead.
describe('an option an entry point does not take', () => {
  const adapter = ownPoolAdapter();

  it('check(): `runs` is refused, pointing to `numRuns`', async () => {
    const options = { adapter, runs: 5 } as unknown as CheckOptions;
    await expect(check(options)).rejects.toBeInstanceOf(DefinitionError);
    await expect(check(options)).rejects.toThrow(/^poolcheck: check\(\) has no option `runs`; did you mean `numRuns`\? It takes `adapter`, `numRuns`, `seed`/);
  });

  it('checkRaces(): a misspelt key is refused, pointing to the option within two edits', async () => {
    const options = { adapter, numruns: 5 } as unknown as RaceCheckOptions;
    await expect(checkRaces(options)).rejects.toThrow(/^poolcheck: checkRaces\(\) has no option `numruns`; did you mean `numRuns`\?/);
  });

  it('poolProperties(): a key like no option is refused with the list alone', () => {
    expect(() => poolProperties(adapter, { colour: 'red' } as never)).toThrow(/^poolcheck: poolProperties\(\) has no option `colour`\. It takes `numRuns`, `seed`, .*`adapterLabel`$/);
  });

  it('an option it takes, even set to undefined, is no error', async () => {
    const result = await check({ adapter, numRuns: 1, seed: 1, maxCommands: 3, connector: undefined } as unknown as CheckOptions);
    expect(result.runs).toBe(1);
  });
});
