import { parseArgs } from 'node:util';
import { formatSeedTable, runSeedScenario } from '../scenario/index.js';
import { selectAdapters } from './adapters.js';
import { wholeNumber } from './numbers.js';
import { UsageError } from './usage.js';

/**
 * `poolcheck scenario seed`: the seed scenario's table (idle size every second after two
 * connections are released, with an async and with a blocking sleep) for any adapter.
 */
export async function runScenario(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      adapter: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      lifetime: { type: 'string' },
      samples: { type: 'string' },
      interval: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [name, ...extra] = positionals;
  if (name !== 'seed') throw new UsageError(name === undefined ? 'scenario needs a name; the one scenario is `seed`' : `unknown scenario '${name}'; the one scenario is \`seed\``);
  if (extra.length > 0) throw new UsageError(`scenario seed takes no more positional arguments, got '${extra.join(' ')}'`);
  const options = {
    ...(values.lifetime === undefined ? {} : { lifetimeMs: wholeNumber('--lifetime', values.lifetime, 1) }),
    ...(values.samples === undefined ? {} : { samples: wholeNumber('--samples', values.samples, 1) }),
    ...(values.interval === undefined ? {} : { intervalMs: wholeNumber('--interval', values.interval, 1) }),
  };
  let failed = false;
  for (const { adapter } of await selectAdapters(values, true)) {
    const table = await runSeedScenario(adapter, options);
    failed ||= table.failure !== null;
    process.stdout.write(`${formatSeedTable(table)}\n\n`);
  }
  return failed ? 1 : 0;
}
