import type { Violation } from '../model/violation.js';

/**
 * Carries a violation out of a fast-check command, which can only signal failure by throwing.
 * The runner turns it back into a value right away.
 */
export class PropertyViolationError extends Error {
  constructor(readonly violation: Violation) {
    super(violation.message);
    this.name = 'PropertyViolationError';
  }
}

/** A definition error: the adapter, configuration or options are wrong, not the pool. */
export class DefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DefinitionError';
  }
}
