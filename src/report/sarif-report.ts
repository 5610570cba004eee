/**
 * SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer): one run
 * for the whole invocation, every image an artifact, every finding a result.
 *
 * Where a result points: an image is one binary artifact, so every result's
 * physical location is the image file itself (GitHub rejects a result
 * without one) and carries NO region. A finding's line is a line of a file
 * inside the guest, not of the image, so a region.startLine would point
 * GitHub at a meaningless "line" of a multi-GB binary; and with a region,
 * codeql-action's upload computes primaryLocationLineHash by reading the
 * artifact as text, line by line, which for a disk image is slow and
 * meaningless (without a region it skips that: "locations without a line
 * number are unlikely to be source files"). The partition and guest path go
 * in logicalLocations and the message, the line in the message and the
 * result's property bag.
 */
import { createHash } from 'node:crypto';
import { basename, isAbsolute, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  Artifact, ArtifactLocation, Invocation, Location, Log, Notification, ReportingDescriptor, Result,
} from 'sarif';
import { RULES } from '../rules/registry.js';
import type { AnyRule, Finding, FindingLocation, Severity } from '../rules/rule.js';
import { INTERNAL_ERROR_RULE_ID } from '../rules/engine.js';
import { describeLocation, locationName } from './finding-location.js';
import { describeExpiredWaiver, type ImageReport, type LintReport } from './lint-report.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
/** Versioned per SARIF §3.27.17; bump the suffix if the hashed key ever changes. */
export const FINGERPRINT_KEY = 'spotlintFindingHash/v1';

const LEVELS: Record<Severity, Result.level> = { error: 'error', warning: 'warning', info: 'note' };

/** Descriptors of tool notifications (not findings), referenced by invocations. */
const NOTIFICATIONS: ReportingDescriptor[] = [
  { id: 'open-image', name: 'OpenImage', shortDescription: { text: 'The image could not be opened, so no rule ran on it' } },
  { id: 'expired-waiver', name: 'ExpiredWaiver', shortDescription: { text: 'A waiver in the config has expired and no longer suppresses findings' } },
];

export function renderSarif(report: LintReport): string {
  return `${JSON.stringify(toSarifLog(report), null, 2)}\n`;
}

export function toSarifLog(report: LintReport): Log {
  const rules = ruleDescriptors(report);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const artifacts: Artifact[] = [];
  const artifactIndex = new Map<string, number>();
  for (const image of report.images) {
    const location = artifactLocation(image.path);
    if (artifactIndex.has(location.uri!)) continue;
    artifactIndex.set(location.uri!, artifacts.length);
    artifacts.push({
      location,
      roles: ['analysisTarget'],
      ...(image.inspection ? { length: image.inspection.image.fileSize } : {}),
    });
  }
  const imageLocation = (image: ImageReport): ArtifactLocation => {
    const location = artifactLocation(image.path);
    return { ...location, index: artifactIndex.get(location.uri!)! };
  };

  const results = report.images.flatMap((image) => {
    const occurrences = new Map<string, number>();
    return image.findings.map((finding) => {
      const key = fingerprintKey(image.path, finding);
      const occurrence = (occurrences.get(key) ?? 0) + 1;
      occurrences.set(key, occurrence);
      return toResult(finding, imageLocation(image), ruleIndex.get(finding.ruleId)!, fingerprint(key, occurrence));
    });
  });

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'spotlint',
          version: report.tool.version,
          // No public home page yet, so no informationUri (it must be an absolute URI).
          rules,
          notifications: NOTIFICATIONS,
        },
      },
      // No originalUriBaseIds: %SRCROOT% is where the user ran spotlint, and
      // writing that machine's absolute path would make the log differ per
      // machine; GitHub resolves relative URIs against the repository root.
      invocations: [invocation(report, imageLocation, ruleIndex)],
      artifacts,
      results,
    }],
  };
}

function ruleDescriptors(report: LintReport): ReportingDescriptor[] {
  const descriptors = [...RULES.map(describeRule), INTERNAL_ERROR_DESCRIPTOR];
  // A finding of a rule this build does not know (a renamed or removed rule
  // in a stored report) still needs a rule for its ruleIndex.
  const known = new Set(descriptors.map((d) => d.id));
  for (const finding of report.images.flatMap((image) => image.findings)) {
    if (known.has(finding.ruleId)) continue;
    known.add(finding.ruleId);
    descriptors.push({ id: finding.ruleId, name: pascalCase(finding.ruleId), shortDescription: { text: finding.ruleId } });
  }
  return descriptors;
}

function describeRule(rule: AnyRule): ReportingDescriptor {
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.guideline },
    help: {
      text: `${rule.rationale}\n\nWhat is checked: ${rule.checks}\n\nHow to fix: ${rule.howToFix}`,
      markdown: `${rule.rationale}\n\n**What is checked:** ${rule.checks}\n\n**How to fix:** ${rule.howToFix}\n\n> ${rule.guideline}`,
    },
    defaultConfiguration: { level: LEVELS[rule.defaultSeverity] },
    properties: { tags: ['spotcloud', ...(rule.fixable === 'no' ? [] : [`fixable-${rule.fixable}`])] },
  };
}

const INTERNAL_ERROR_DESCRIPTOR: ReportingDescriptor = {
  id: INTERNAL_ERROR_RULE_ID,
  name: pascalCase(INTERNAL_ERROR_RULE_ID),
  shortDescription: { text: 'A rule failed while checking this image; its checks did not run' },
  fullDescription: { text: 'spotlint could not complete one of its rules on this image, so the image was not fully checked.' },
  help: {
    text: 'The message names the rule and the error. When the rule could not read the guest, the filesystem is damaged or uses a feature spotlint cannot read: run e2fsck -fn on it. Otherwise this is a bug in spotlint; please report it with the message.',
    markdown: 'The message names the rule and the error. When the rule could not read the guest, the filesystem is damaged or uses a feature spotlint cannot read: run `e2fsck -fn` on it. Otherwise this is a bug in spotlint; please report it with the message.',
  },
  defaultConfiguration: { level: 'error' },
  properties: { tags: ['spotlint-internal'] },
};

function toResult(finding: Finding, artifact: ArtifactLocation, ruleIndex: number, hash: string): Result {
  const logical = locationName(finding.location);
  const where = logical && describeLocation(finding.location);
  const location: Location = {
    physicalLocation: { artifactLocation: artifact },
    ...(logical ? { logicalLocations: [{ name: finding.location.path ?? logical, fullyQualifiedName: logical, kind: 'resource' }] } : {}),
  };
  const { partition, path, line } = finding.location;
  // Machine-readable where and fix, since the region cannot carry them.
  const properties = {
    ...(partition === undefined ? {} : { partition }),
    ...(path === undefined ? {} : { guestPath: path }),
    ...(line === undefined ? {} : { guestLine: line }),
    ...(finding.fix === undefined ? {} : { fix: finding.fix }),
  };
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level: LEVELS[finding.severity],
    message: { text: where ? `${finding.message} (at ${where})` : finding.message },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: hash },
    ...(finding.suppressed ? {
      suppressions: [{
        // No status: the schema in circulation calls it "state", the spec "status"; it is optional.
        kind: 'external' as const,
        justification: finding.suppressed.reason,
        ...(finding.suppressed.expires ? { properties: { expires: finding.suppressed.expires } } : {}),
      }],
    } : {}),
    ...(Object.keys(properties).length ? { properties } : {}),
  };
}

function invocation(report: LintReport, imageLocation: (image: ImageReport) => ArtifactLocation, ruleIndex: Map<string, number>): Invocation {
  const unopened = report.images.filter((image) => image.inspection === null);
  const execution: Notification[] = unopened.map((image) => ({
    level: 'error',
    descriptor: { id: 'open-image', index: 0 },
    // The error already names the image, as every SpotlintError does.
    message: { text: image.error ?? `${image.path}: could not be opened` },
    locations: [{ physicalLocation: { artifactLocation: imageLocation(image) } }],
  }));
  const configuration: Notification[] = report.expiredWaivers.map((waiver) => {
    const index = ruleIndex.get(waiver.rule);
    return {
      level: 'warning',
      descriptor: { id: 'expired-waiver', index: 1 },
      ...(index === undefined ? {} : { associatedRule: { id: waiver.rule, index } }),
      message: { text: describeExpiredWaiver(waiver) },
    };
  });
  const ruleFailed = report.images.some((image) => image.findings.some((f) => f.ruleId === INTERNAL_ERROR_RULE_ID));
  return {
    executionSuccessful: unopened.length === 0 && !ruleFailed,
    ...(execution.length ? { toolExecutionNotifications: execution } : {}),
    ...(configuration.length ? { toolConfigurationNotifications: configuration } : {}),
  };
}

/**
 * The image path as given: relative paths stay relative to %SRCROOT% (GitHub
 * resolves them against the repository root), absolute ones become file:// URIs.
 */
export function artifactLocation(imagePath: string): ArtifactLocation {
  if (isAbsolute(imagePath)) return { uri: pathToFileURL(imagePath).href };
  const segments = normalize(imagePath).split(sep);
  return { uri: segments.map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

/**
 * What identifies a finding across runs and machines: the rule, the image
 * as the user named it (only the file name of an absolute path, whose
 * directory differs per checkout and machine), the partition,
 * the guest path, and the message with its numbers blanked, so a line
 * number or a size that changes between runs keeps the same alert.
 */
function fingerprintKey(imagePath: string, finding: Finding): string {
  const message = finding.message.replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
  const { partition, path } = finding.location;
  const image = isAbsolute(imagePath) ? basename(imagePath) : normalize(imagePath);
  return JSON.stringify([finding.ruleId, image, partition === undefined ? 'image' : partition, path ?? '', message]);
}

/** Findings alike in every part of the key are told apart by their order, as codeql-action does with ":n". */
function fingerprint(key: string, occurrence: number): string {
  return `${createHash('sha256').update(key).digest('hex')}:${occurrence}`;
}

function pascalCase(id: string): string {
  return id.split(/[^A-Za-z0-9]+/).filter(Boolean).map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}
