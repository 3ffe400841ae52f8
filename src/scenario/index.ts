/** Fixed scenarios: what a pool does in one hand-picked situation, as a table of values. */
export { runSeedScenario, formatSeedTable } from './seed.js';
export type { SeedOptions, SeedTable } from './seed.js';
