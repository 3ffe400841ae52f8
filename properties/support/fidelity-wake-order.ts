import { stat } from 'node:fs';
import { installFakeClock } from '../../src/clock/fake.js';
import type { WakePhase } from '../../src/model/handoff.js';
import type { Handoff } from '../../src/model/semantics.js';

/*
 * The order of two callbacks after a blocked loop wakes: an expiry timer that came due during the
 * block, and a hand-off the woken code queues. Measured on the real event loop (real timers, a
 * busy-wait), and again under poolcheck's fake clock, so the fidelity test can hold one against
 * the other in every cell.
 */

export type Order = 'hand-off first' | 'expiry first';

/** A way to queue a hand-off, and the declared value it stands for. */
export interface Mechanism {
  readonly name: string;
  readonly handoff: Handoff;
  queue(callback: () => void): void;
}

export const MECHANISMS: readonly Mechanism[] = [
  { name: 'process.nextTick', handoff: 'microtask', queue: (f) => process.nextTick(f) },
  { name: 'queueMicrotask', handoff: 'microtask', queue: (f) => queueMicrotask(f) },
  { name: 'setImmediate', handoff: 'immediate', queue: (f) => void setImmediate(f) },
  { name: 'setTimeout(0)', handoff: 'timeout', queue: (f) => void setTimeout(f, 0) },
];

/**
 * Code that blocks the loop, run where a real program could: `enter` runs `body` in that place.
 * Each shape belongs to the phase the fake clock is told to wake into for it.
 */
export interface Shape {
  readonly phase: WakePhase;
  readonly name: string;
  enter(body: () => void): void;
  /** Whether the woken code sets (and clears) a timer before it yields, as a loop that sleeps on does. */
  readonly setsTimer: boolean;
}

export const SHAPES: readonly Shape[] = [
  { phase: 'timers', name: 'code an awaited setTimeout resumed, which sets a timer before it yields (the seed loop)', setsTimer: true, enter: (body) => void timerThen(body) },
  { phase: 'timers', name: 'a setImmediate callback (the check phase)', setsTimer: false, enter: (body) => void setImmediate(body) },
  { phase: 'io', name: 'an fs callback (the poll phase)', setsTimer: false, enter: (body) => stat(import.meta.dirname, () => body()) },
  { phase: 'io', name: 'a setTimeout callback', setsTimer: false, enter: (body) => void setTimeout(body, 1) },
  { phase: 'io', name: 'code an awaited setTimeout resumed, which sets no timer before it yields', setsTimer: false, enter: (body) => void timerThen(body) },
];

async function timerThen(body: () => void): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  body();
}

/**
 * The expiry timer is set by the blocking code just before it blocks, so it always comes due
 * during the block, however late a loaded machine enters the shape (measured: the order is the
 * same as for a timer set long before).
 */
const EXPIRY_MS = 2;
const BLOCK_MS = 10;

/** One cell on the real loop. */
export function realOrder(shape: Shape, mechanism: Mechanism): Promise<Order> {
  return new Promise((resolve) => {
    const seen: Order[] = [];
    const done = (): void => {
      if (seen.length === 2) resolve(seen[0]!);
    };
    shape.enter(() => {
      setTimeout(() => {
        seen.push('expiry first');
        done();
      }, EXPIRY_MS);
      const until = performance.now() + BLOCK_MS;
      while (performance.now() < until) {
        // busy-wait
      }
      mechanism.queue(() => {
        seen.push('hand-off first');
        done();
      });
      if (shape.setsTimer) clearTimeout(setTimeout(() => undefined, 50));
    });
  });
}

/** The same cell under poolcheck's fake clock, woken into the shape's phase. */
export async function fakeOrder(shape: Shape, mechanism: Mechanism): Promise<Order> {
  const clock = installFakeClock();
  try {
    const seen: Order[] = [];
    setTimeout(() => seen.push('expiry first'), EXPIRY_MS);
    clock.blockSync(BLOCK_MS);
    mechanism.queue(() => seen.push('hand-off first'));
    if (shape.setsTimer) clearTimeout(setTimeout(() => undefined, 50));
    const woke = await clock.wake(shape.phase);
    if (!woke.ok || seen.length !== 2) throw new Error(`the fake clock did not run both callbacks: ${JSON.stringify({ woke, seen })}`);
    return seen[0]!;
  } finally {
    clock.uninstall();
  }
}
