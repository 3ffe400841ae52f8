/**
 * Errors of poolcheck's own pool. Every message starts with `poolcheck pool:` and says how to fix
 * the problem. Two families, kept apart on purpose: a {@link PoolOptionsError} or
 * {@link PoolUsageError} means the pool was configured or called wrongly; a
 * {@link PoolTimeoutError} or {@link PoolClosedError} is the pool working as specified.
 */

const PREFIX = 'poolcheck pool: ';

/** Base class of every error the pool raises. */
export class PoolError extends Error {
  constructor(message: string) {
    super(PREFIX + message);
    this.name = new.target.name;
  }
}

/** A bad option passed to `createPool` / `new Pool`. */
export class PoolOptionsError extends PoolError {}

/** The pool was called wrongly: a foreign or double release, a release after terminate, and so on. */
export class PoolUsageError extends PoolError {}

/** The pool is closing or closed, so the acquire cannot be served. */
export class PoolClosedError extends PoolError {}

/**
 * An acquire waited longer than its timeout for a free slot, or (`connecting`, with
 * `acquireTimeoutCoversConnect`) for its connection to open. Its `stack` is the message alone:
 * the pool raises it from its timeout timer, whose frames name only the pool and the event loop,
 * never the caller, and capturing them was a measurable share of a run with many timeouts.
 */
export class PoolTimeoutError extends PoolError {
  readonly timeoutMs: number;

  /** `connecting`: the deadline came during the acquire's connect (`true`) or its validation (`'checking'`). */
  constructor(timeoutMs: number, maxSize: number, connecting: boolean | 'checking' = false) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(
      connecting === 'checking'
        ? `acquire() timed out after ${timeoutMs} ms while its connection was being validated (acquireTimeoutCoversConnect); ` +
            'raise acquireTimeoutMs or pass a larger { timeoutMs } to acquire(), or make the validation faster'
        : connecting
        ? `acquire() timed out after ${timeoutMs} ms while its connection was still opening; the connection is closed as it lands (acquireTimeoutCoversConnect); ` +
            'raise acquireTimeoutMs or pass a larger { timeoutMs } to acquire(), or make connects faster'
        : `acquire() timed out after ${timeoutMs} ms waiting for a free connection (all ${maxSize} in use); ` +
            'raise acquireTimeoutMs or pass a larger { timeoutMs } to acquire(), raise maxSize, ' +
            'or release connections sooner',
    );
    Error.stackTraceLimit = limit;
    this.timeoutMs = timeoutMs;
  }
}

/** An acquire was aborted through its `signal` before it got a connection. */
export class PoolAbortedError extends PoolError {
  constructor() {
    super('acquire() was aborted through its signal before it got a connection; nothing is lent to it');
  }
}
