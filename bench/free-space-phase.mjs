#!/usr/bin/env node
// The free-space scan alone, as zerofree -n does its work: open the
// filesystem, read its block bitmap, read every free block and count the
// non-zero ones. Prints the wall time and the figures as one JSON line.
//   node bench/free-space-phase.mjs DISK PARTITION_START PARTITION_SIZE BLOCK_SIZE
import { ExtFilesystem } from '../dist/inspect/ext/ext-filesystem.js';
import { scanFreeSpace } from '../dist/inspect/freespace/scan-free-space.js';
import { openImage } from '../dist/inspect/image/open-image.js';

const [path, start, size, blockSize] = [process.argv[2], ...process.argv.slice(3, 6).map(Number)];
const started = performance.now();
const fs = await ExtFilesystem.open({ imagePath: path, partitionStart: start, partitionSize: size });
const freeRanges = await fs.freeRanges();
await fs.close();
const { source } = await openImage(path);
const { nonZeroRuns, ...figures } = await scanFreeSpace(source, { start, blockSize, freeRanges });
await source.close();
console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, nonZeroRuns: nonZeroRuns.length / 2, ...figures }));
