import { MessageChannel } from 'node:worker_threads';

/*
 * Letting the microtasks drain means yielding one real macrotask: by the time it runs, every
 * promise continuation and nextTick queued before it, and everything they queued in turn, has run.
 * A message on a MessageChannel is such a macrotask, and costs about a third of a real setImmediate
 * on this kind of machine (0.9 µs against 3 µs a round trip); it is the single biggest cost of a
 * command. Neither is faked: poolcheck fakes only timers and Date, and the channel is created at
 * import, before any fake clock exists. The port keeps the process alive only while a drain waits.
 */
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.on('message', () => {
  waiting.shift()?.();
  if (waiting.length === 0) channel.port1.unref();
});
channel.port1.unref();

/** Resolves once everything queued on the microtask and nextTick queues has run. */
export function drain(): Promise<void> {
  return new Promise((resolve) => {
    if (waiting.length === 0) channel.port1.ref();
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}
