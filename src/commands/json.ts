/**
 * A command as stable JSON: what it did, with every choice resolved (which connection, how many
 * milliseconds), independent of the generators that drew it. Counterexamples are written in this
 * form, so they can be read, diffed and replayed after the generators change.
 */
export type CommandJson =
  | { readonly op: 'acquire' }
  | { readonly op: 'release'; readonly connection: number }
  | { readonly op: 'query'; readonly connection: number; readonly sql: string }
  | { readonly op: 'sleep'; readonly ms: number }
  /** `phase`: where the loop goes when it wakes; left out (files saved before phases): `timers`. */
  | { readonly op: 'blockingSleep'; readonly ms: number; readonly acquireOnWake: boolean; readonly phase?: 'timers' | 'io' }
  | { readonly op: 'burst'; readonly count: number }
  | { readonly op: 'destroy'; readonly connection: number }
  | { readonly op: 'failNextConnect' }
  | { readonly op: 'slowNextConnect'; readonly ms: number }
  | { readonly op: 'breakIdle'; readonly connection: number }
  | { readonly op: 'close' }
  | { readonly op: 'terminate' };

/** A command that can say what it did, once it has run. */
export interface Describable {
  toString(): string;
  /** `null` before the command has run, when its choices are not resolved yet. */
  toJson(): CommandJson | null;
}
