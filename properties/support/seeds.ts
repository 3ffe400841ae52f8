/**
 * The seeds a correct pool's configuration is checked on in `npm test`: the default 200 runs on
 * each. A broken pool must still be caught on every one of seeds 1-5. Wider sweeps over correct
 * configurations are fuzz campaigns (`npm run fuzz`, `poolcheck fuzz --adapter <module>`), so that
 * `npm test` stays within about a minute as the variants grow.
 */
export const PASS_SEEDS = [1, 2] as const;
