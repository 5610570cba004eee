/**
 * The machine-readable report (`--format json`), documented and versioned by
 * report.schema.json. It is an explicit projection of LintReport, not a dump:
 * a field added to the internal types (ImageInspection grows with every new
 * fact) reaches users only when it is added here and to the schema, so the
 * versioned shape never changes by accident. Keep the two in step; the unit
 * test validates real output against the schema.
 */
import type { ImageInspection } from '../inspect/inspect-image.js';
import type { FreeSpaceResult } from '../inspect/freespace/free-space.js';
import type { Volume } from '../inspect/volumes.js';
import type { Finding } from '../rules/rule.js';
import type { ImageReport, LintReport } from './lint-report.js';

export interface JsonReport {
  reportVersion: number;
  tool: LintReport['tool'];
  failOn: LintReport['failOn'];
  counts: LintReport['counts'];
  expiredWaivers: LintReport['expiredWaivers'];
  images: JsonImage[];
}

interface JsonImage {
  path: string;
  os?: string;
  error?: string;
  inspection: JsonInspection | null;
  rulesRun: string[];
  counts: ImageReport['counts'];
  findings: JsonFinding[];
}

interface JsonFinding {
  ruleId: string;
  severity: Finding['severity'];
  message: string;
  location: Finding['location'];
  fix?: string;
  suppressed?: { reason: string; expires?: string };
}

interface JsonInspection {
  image: Omit<ImageInspection['image'], 'path'>;
  partitionTable: ImageInspection['partitionTable'];
  volumes: JsonVolume[];
  /** null: no root filesystem found; partition null: a bare filesystem on the whole disk. */
  root: { partition: number | null } | null;
  mounts: ImageInspection['mounts'];
  fstabProblems: ImageInspection['fstabProblems'];
}

interface JsonVolume {
  partition: number | null;
  start: number;
  size: number;
  partitionEntry: {
    kind: string; type: string; typeName: string; bootable: boolean; size: number; beyondEnd: boolean;
    name?: string; guid?: string;
  } | null;
  filesystem: {
    type: string; uuid?: string; label?: string; detail?: string;
    ext?: {
      blockSize: number; blockCount: number; freeBlocks: number; inodeCount: number; freeInodes: number;
      cleanlyUnmounted: boolean; errorsRecorded: boolean; needsRecovery: boolean; errorCount: number;
      lastMountedOn: string; features: string[];
    };
  };
  readError?: { code: string; message: string };
  freeSpace?: FreeSpaceResult;
}

export function renderJson(report: LintReport): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
}

export function toJsonReport(report: LintReport): JsonReport {
  return {
    reportVersion: report.reportVersion,
    tool: { name: report.tool.name, version: report.tool.version },
    failOn: report.failOn,
    counts: { ...report.counts },
    expiredWaivers: report.expiredWaivers.map(({ rule, path, reason, expires }) => ({ rule, ...(path === undefined ? {} : { path }), reason, expires })),
    images: report.images.map(toJsonImage),
  };
}

function toJsonImage(image: ImageReport): JsonImage {
  return {
    path: image.path,
    ...(image.os === undefined ? {} : { os: image.os }),
    ...(image.error === undefined ? {} : { error: image.error }),
    inspection: image.inspection ? toJsonInspection(image.inspection) : null,
    rulesRun: [...image.rulesRun],
    counts: { ...image.counts },
    findings: image.findings.map(toJsonFinding),
  };
}

function toJsonFinding(finding: Finding): JsonFinding {
  const { partition, path, line } = finding.location;
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    // Absent keys keep their meaning: no partition key = the image as a whole.
    location: {
      ...(partition === undefined ? {} : { partition }),
      ...(path === undefined ? {} : { path }),
      ...(line === undefined ? {} : { line }),
    },
    ...(finding.fix === undefined ? {} : { fix: finding.fix }),
    ...(finding.suppressed === undefined ? {} : {
      suppressed: {
        reason: finding.suppressed.reason,
        ...(finding.suppressed.expires === undefined ? {} : { expires: finding.suppressed.expires }),
      },
    }),
  };
}

function toJsonInspection(inspection: ImageInspection): JsonInspection {
  const { format, virtualSize, fileSize, allocatedBytes, qcow2 } = inspection.image;
  const { scheme, diskId, problems } = inspection.partitionTable;
  return {
    // The image path is the ImageReport's path; not repeated here.
    image: { format, virtualSize, fileSize, allocatedBytes, ...(qcow2 ? { qcow2: { ...qcow2 } } : {}) },
    partitionTable: { scheme, ...(diskId === undefined ? {} : { diskId }), problems: [...problems] },
    volumes: inspection.volumes.map(toJsonVolume),
    // undefined (not found) would vanish from JSON and read like "bare": say it with null.
    root: inspection.rootPartition === undefined ? null : { partition: inspection.rootPartition },
    mounts: inspection.mounts.map(({ mountPoint, partition, spec }) => ({ mountPoint, partition, spec })),
    fstabProblems: inspection.fstabProblems.map(({ line, spec, mountPoint, reason }) => ({ line, spec, mountPoint, reason })),
  };
}

function toJsonVolume(volume: Volume): JsonVolume {
  const p = volume.partition;
  const fs = volume.filesystem;
  const ext = fs.ext;
  return {
    partition: volume.index,
    start: volume.start,
    size: volume.size,
    partitionEntry: p ? {
      kind: p.kind, type: p.type, typeName: p.typeName, bootable: p.bootable, size: p.size, beyondEnd: p.beyondEnd,
      ...(p.name === undefined ? {} : { name: p.name }),
      ...(p.guid === undefined ? {} : { guid: p.guid }),
    } : null,
    filesystem: {
      type: fs.type,
      ...(fs.uuid === undefined ? {} : { uuid: fs.uuid }),
      ...(fs.label === undefined ? {} : { label: fs.label }),
      ...(fs.detail === undefined ? {} : { detail: fs.detail }),
      // The superblock facts an operator acts on; uuid, label and version are already above.
      ...(ext ? {
        ext: {
          blockSize: ext.blockSize, blockCount: ext.blockCount, freeBlocks: ext.freeBlocks,
          inodeCount: ext.inodeCount, freeInodes: ext.freeInodes,
          cleanlyUnmounted: ext.cleanlyUnmounted, errorsRecorded: ext.errorsRecorded, needsRecovery: ext.needsRecovery,
          errorCount: ext.errorCount, lastMountedOn: ext.lastMountedOn, features: [...ext.features],
        },
      } : {}),
    },
    ...(volume.readError ? { readError: { code: volume.readError.code, message: volume.readError.message } } : {}),
    ...(volume.freeSpace ? { freeSpace: freeSpaceJson(volume.freeSpace) } : {}),
  };
}

function freeSpaceJson(result: FreeSpaceResult): FreeSpaceResult {
  if (result.status === 'failed') return { status: 'failed', reason: result.reason };
  const { blockSize, freeBytes, nonZeroBytes, unstoredBytes, estimatedPackageSavingBytes, sampleBytes } = result;
  return { status: 'scanned', blockSize, freeBytes, nonZeroBytes, unstoredBytes, estimatedPackageSavingBytes, sampleBytes };
}
