import { formatVirtual } from '../report/summary.js';
import type { CampaignStats } from './campaign.js';

/**
 * The campaign's progress on stderr: a live line on a terminal, elsewhere a plain line every
 * five seconds, so CI logs stay short.
 */
export function campaignProgress(stream: NodeJS.WriteStream = process.stderr): { update: (s: CampaignStats) => void; done: () => void } {
  const tty = stream.isTTY === true;
  const every = tty ? 200 : 5_000;
  let last = performance.now();
  let shown = false;
  return {
    update(s) {
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      shown = true;
      const secs = Math.max(s.wallMs / 1000, 0.001);
      const line = `fuzz: ${s.runs} runs, ${s.commands} commands, ${formatVirtual(s.virtualMs)} virtual, ${s.failures} failure(s) found, ${Math.round(s.runs / secs)} runs/s`;
      stream.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    done() {
      if (shown && tty) stream.write('\r\x1b[2K');
    },
  };
}
