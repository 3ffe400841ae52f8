import { describe, expect, it } from 'vitest';
import { controllerDone, takeController } from './signals.js';

describe('the abort controllers acquires share', () => {
  it('hands out again one whose acquire was answered, unaborted, with no listener left', () => {
    const first = takeController();
    const listener = (): void => undefined;
    first.signal.addEventListener('abort', listener, { once: true });
    first.signal.removeEventListener('abort', listener);
    controllerDone(first);
    expect(takeController()).toBe(first);
  });

  it('never hands out one the pool still listens on, or one that was aborted', () => {
    const listened = takeController();
    listened.signal.addEventListener('abort', () => undefined, { once: true });
    controllerDone(listened);
    const aborted = takeController();
    aborted.abort();
    controllerDone(aborted);
    const next = takeController();
    expect(next).not.toBe(listened);
    expect(next).not.toBe(aborted);
    expect(next.signal.aborted).toBe(false);
  });
});
