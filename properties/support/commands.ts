import { commandFromJson } from '../../src/commands/from-json.js';
import type { PoolCommand } from '../../src/commands/index.js';

/** Commands from their JSON form, as a corpus file holds them; a bad one throws with the reason. */
export function commandsFromJson(list: readonly unknown[]): PoolCommand[] {
  return list.map((json) => {
    const c = commandFromJson(json);
    if (typeof c === 'string') throw new Error(c);
    return c;
  });
}
