import type { PoolAdapter } from '../adapters/types.js';
import type { CommandJson } from '../commands/json.js';
import { shortHash } from '../corpus/canonical.js';
import type { ViolationKind } from '../model/violation.js';
import { DefinitionError } from './violation-error.js';

/**
 * A rerun token: everything a failure needs to be found again, in one shell-safe word, and what
 * lets a rerun tell that it replays that failure and no other. fast-check alone cannot: a path or
 * replayPath from another case replays some other sequence, which may well pass.
 */
export interface RerunToken {
  readonly seed: number;
  readonly path: string;
  readonly replayPath: string | null;
  /** A digest of the adapter's name and declared semantics. */
  readonly adapterDigest: string;
  /** A digest of the options that shape the generated runs (command count, configurations). */
  readonly optionsDigest: string;
  /** The violation the failure found. */
  readonly kind: ViolationKind;
  /** A digest of the shrunk command list. */
  readonly stepsDigest: string;
}

const PREFIX = 'pc1_';

/** What shapes the generated runs besides the adapter: a rerun under other options replays another case. */
export interface RerunShape {
  readonly maxCommands: number;
  /** `default`, or what identifies custom configurations (see `CheckOptions.configsKey`). */
  readonly configs: string;
}

/** Digests in a token are short: they tell cases apart, they do not guard secrets. */
const digest = (value: unknown): string => shortHash(value).slice(0, 8);

export function adapterDigest(adapter: PoolAdapter): string {
  return digest({ name: adapter.name, semantics: adapter.semantics });
}

export function optionsDigest(shape: RerunShape): string {
  return digest(shape);
}

export function stepsDigest(steps: readonly CommandJson[]): string {
  return digest(steps);
}

/**
 * What shapes a race check's runs besides the adapter: its configurations and client programs,
 * default or custom. `races` keeps a race token from passing for a sequential one, and back.
 */
export function raceOptionsDigest(shape: { readonly configs: string; readonly clients: string }): string {
  return digest({ races: true, ...shape });
}

/** A digest of a shrunk race: its configuration, clients and scheduler seed, which replay it. */
export function raceDigest(race: { readonly config: unknown; readonly clients: unknown; readonly schedulerSeed: number }): string {
  return digest({ config: race.config, clients: race.clients, schedulerSeed: race.schedulerSeed });
}

/** The token as one word of base64url: letters, digits, `-` and `_`, so a shell takes it as printed. */
export function encodeRerunToken(token: RerunToken): string {
  const t = token;
  const fields = [1, t.seed, t.path, t.replayPath, t.adapterDigest, t.optionsDigest, t.kind, t.stepsDigest];
  return `${PREFIX}${Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url')}`;
}

/** Reads a token; anything that is not one this poolcheck wrote is a {@link DefinitionError} saying so. */
export function decodeRerunToken(text: string): RerunToken {
  if (typeof text !== 'string') throw new DefinitionError(`poolcheck: \`rerun\` takes the token a failure printed (a string starting with ${PREFIX}), got ${typeof text}`);
  const bad = (why: string): never => {
    throw new DefinitionError(`poolcheck: --rerun: '${text.length > 40 ? `${text.slice(0, 37)}...` : text}' is not a rerun token (${why}); copy the whole token from the failure's "cli:" line`);
  };
  if (!text.startsWith(PREFIX)) return bad(`a token starts with ${PREFIX}`);
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return bad('it does not decode; was it cut short?');
  }
  if (!Array.isArray(fields) || fields.length !== 8 || fields[0] !== 1) return bad('it does not decode; was it cut short?');
  const [, seed, path, replayPath, aDigest, oDigest, kind, sDigest] = fields as unknown[];
  const str = (v: unknown): v is string => typeof v === 'string';
  if (typeof seed !== 'number' || !Number.isInteger(seed) || !str(path) || !(replayPath === null || str(replayPath)) || !str(aDigest) || !str(oDigest) || !str(kind) || !str(sDigest)) {
    return bad('a field is missing or has the wrong type');
  }
  return { seed, path, replayPath, adapterDigest: aDigest, optionsDigest: oDigest, kind: kind as ViolationKind, stepsDigest: sDigest };
}

/**
 * A rerun that does not replay its case: a seed, path, replayPath or token from another case, or
 * for another adapter or options, or a pool that no longer fails it. Never a pass: it is a
 * definition error (exit 2 from the CLI) that names what does not match.
 */
export class RerunMismatchError extends DefinitionError {
  constructor(message: string) {
    super(message);
    this.name = 'RerunMismatchError';
  }
}
