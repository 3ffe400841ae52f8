/**
 * Until the returned function is called, SIGINT and SIGTERM end the process at once, after
 * `onStop` has written what it can (it must be synchronous: nothing after it runs) and chosen the
 * exit code. A CI runner's cancel sends SIGTERM, a user Ctrl-C: both must leave the summary so far.
 */
export function onStopSignals(onStop: (signal: 'SIGINT' | 'SIGTERM') => number): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = (): void => {
      let code = signal === 'SIGINT' ? 130 : 143;
      try {
        code = onStop(signal);
      } finally {
        process.exit(code);
      }
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
