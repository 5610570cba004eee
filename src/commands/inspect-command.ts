import { basename } from 'node:path';
import { inspectImage } from '../inspect/inspect-image.js';
import { renderInspectTable } from '../report/inspect-table.js';
import { printable } from '../report/printable.js';
import { progressBar } from './progress-bar.js';

export interface InspectArguments {
  image: string;
  json: boolean;
  /** false: --no-scan, skip the free-space scan. */
  scan: boolean;
  /** undefined: a progress bar when stderr is a terminal. */
  progress?: boolean;
}

export async function inspectCommand(args: InspectArguments): Promise<string> {
  const progress = args.scan && (args.progress ?? process.stderr.isTTY === true)
    ? progressBar(`Scanning free space of ${printable(basename(args.image))}`)
    : undefined;
  let inspected;
  try {
    inspected = await inspectImage(args.image, { scanFreeSpace: args.scan, onScanProgress: progress?.onProgress });
  } finally {
    progress?.stop();
  }
  try {
    return args.json ? `${JSON.stringify(inspected.inspection, null, 2)}\n` : renderInspectTable(inspected.inspection);
  } finally {
    await inspected.close();
  }
}
