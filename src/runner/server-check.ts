import type fc from 'fast-check';
import type { Harness, ModelBox } from './harness.js';

type Command = fc.AsyncCommand<ModelBox, Harness>;

/**
 * Asks the connector whether the server agrees with it about which connections are open, and fails
 * the run with `server-disagrees` if not. The check is a step of its own in the trace, after the
 * step it follows.
 */
export async function checkServer(h: Harness, after: string): Promise<void> {
  const verify = h.connector.verify;
  if (verify === undefined) return;
  const problem = await verify.call(h.connector);
  if (problem === null) return;
  h.current = `server check after ${after}`;
  h.fail('server-disagrees', problem);
}

/**
 * The commands, each followed by a server check. Only `run` is wrapped: `check` and `toString`
 * reach the command fast-check made, which still records whether it ran, so shrinking and replay
 * paths are unchanged.
 */
export function* withServerChecks<C extends Command>(commands: Iterable<C>): Iterable<Command> {
  for (const command of commands) {
    yield {
      check: (m) => command.check(m),
      run: async (m, h) => {
        await command.run(m, h);
        await checkServer(h, String(command));
      },
      toString: () => String(command),
    };
  }
}
