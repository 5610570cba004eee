import cliProgress from 'cli-progress';
import { formatBytes } from '../report/format-bytes.js';

/** Work that ends sooner than this shows no bar at all: no flicker on small images. */
const SHOW_AFTER_MS = 1000;

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface ProgressBar {
  /** Bytes done of the total. */
  onProgress: (done: number, total: number) => void;
  /** Removes the bar (if it was shown) so the report starts on a clean line. */
  stop(): void;
}

/**
 * Progress of long byte work (the free-space scan, packaging) on a terminal:
 * a cli-progress bar on stderr, shown only once the work has run for a
 * second, with bytes done, throughput and time left, and cleared when done.
 * Where stderr is not a terminal, a plain line every few seconds instead.
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const started = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  let stopped = false;
  // Speed and time left from the whole run so far: steadier than the bar's own
  // moving estimate, which reads "0s left" before it has two samples.
  const payload = (done: number, total: number) => {
    const seconds = (Date.now() - started) / 1000;
    const speed = seconds > 0 ? done / seconds : 0;
    const left = speed > 0 ? `${Math.ceil((total - done) / speed)} s left` : 'estimating time left';
    return { doneText: formatBytes(done), totalText: formatBytes(total), speedText: `${formatBytes(speed)}/s`, leftText: left };
  };
  // Ctrl-C while the bar shows: give the cursor back, and when no other
  // handler (a package's cleanup) is there to end the process, end it with
  // the signal's default action, as if no bar had been shown.
  const onSignal = (signal: NodeJS.Signals) => {
    process.off(signal, onSignal);
    if (stream.isTTY) stream.write('\u001b[?25h\n');
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  return {
    onProgress(done, total) {
      if (stopped) return;
      if (!bar) {
        if (Date.now() - started < SHOW_AFTER_MS || total === 0) return;
        bar = new cliProgress.SingleBar({
          stream,
          format: `${label} [{bar}] {percentage}% | {doneText} of {totalText} | {speedText} | {leftText}`,
          barsize: 24,
          clearOnComplete: true,
          hideCursor: true,
          // Not cli-progress's own: its handler stops the bar and swallows
          // Ctrl-C, so the command would go on. See onSignal below.
          gracefulExit: false,
          fps: 8,
          // Asked for with --progress where stderr is not a terminal (a CI
          // log): a plain line every few seconds instead of a redrawn bar.
          noTTYOutput: stream.isTTY !== true,
          notTTYSchedule: 3000,
        }, cliProgress.Presets.shades_classic);
        bar.start(total, done, payload(done, total));
        for (const signal of SIGNALS) process.on(signal, onSignal);
        return;
      }
      bar.setTotal(total);
      bar.update(done, payload(done, total));
    },
    stop() {
      stopped = true;
      for (const signal of SIGNALS) process.off(signal, onSignal);
      bar?.stop();
    },
  };
}
