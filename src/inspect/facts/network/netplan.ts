// Netplan: YAML files under /etc/netplan (and /lib, /run) that describe
// devices by id (netplan(5), "network:" version 2). Parsed with the yaml
// package's document API so every definition keeps its line.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Pair } from 'yaml';
import type { GuestSource, NetworkInterfaceConfig } from '../guest-facts.js';
import { macOrAsWritten } from './mac-address.js';

/** The device kinds netplan defines under "network:". */
const DEFINITION_KINDS = new Set([
  'ethernets', 'wifis', 'modems', 'bonds', 'bridges', 'vlans', 'tunnels', 'vrfs', 'dummy-devices', 'virtual-ethernets',
]);

/** Netplan's booleans (netplan's parser compares these case-blind; YAML 1.2 alone would read "yes" as a string). */
const TRUE_WORDS = new Set(['true', 'yes', 'on', 'y']);

/** Glob characters netplan's match: name: understands (fnmatch). */
const GLOB = /[*?[]/;

/** One broken file can hold hundreds of errors; the first few say enough (netplan itself stops at the first). */
export const MAX_REPORTED_YAML_ERRORS = 3;

/** One device definition as one file gives it; later files override the keys they set. */
export interface NetplanDefinition {
  id: string;
  kind: string;
  path: string;
  line: number;
  dhcp4?: boolean;
  dhcp6?: boolean;
  hasAddresses?: boolean;
  matchName?: string;
  /** Its own source: a later file may add the match to an earlier definition. */
  matchMac?: { mac: string; source: GuestSource };
  /** Set when match: is used at all (a driver-only match names no interface either). */
  matched?: boolean;
  setName?: string;
  /** netplan's activation-mode: manual and off leave the device down at boot. */
  activationMode?: string;
}

export interface NetplanFile {
  definitions: NetplanDefinition[];
  /** YAML errors, "line N: message"; netplan refuses to generate any configuration when a file has one. */
  errors: string[];
}

/** Netplan files are a few hundred bytes; the yaml package takes about a second per 40,000 lines, so a bigger file is not parsed. */
export const MAX_NETPLAN_BYTES = 16 * 1024;
/**
 * Nesting deep enough to overflow the yaml package's recursive composer
 * (some 800 levels, a 1 KB file of "[") can leave V8 unable to compile a
 * regular expression later, which aborts the whole process. Netplan files
 * nest a handful of levels.
 */
export const MAX_NETPLAN_FLOW_NESTING = 64;
export const MAX_NETPLAN_BLOCK_INDENT = 200;

export function parseNetplanFile(text: string, path: string): NetplanFile {
  if (text.length > MAX_NETPLAN_BYTES) {
    return { definitions: [], errors: [`was not parsed: it is ${text.length} characters long, more than the ${MAX_NETPLAN_BYTES} spotlint reads of a netplan file`] };
  }
  const nesting = nestingProblem(text);
  if (nesting) return { definitions: [], errors: [`was not parsed: ${nesting}`] };
  const lineCounter = new LineCounter();
  let document: Document;
  try {
    document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch (error) {
    // Deep enough nesting can exhaust the stack; that file is broken, not the inspection.
    return { definitions: [], errors: [`could not be parsed: ${(error as Error).message}`] };
  }
  const lineOf = (offset: number | undefined) => lineCounter.linePos(offset ?? 0).line;
  const errors = document.errors
    .slice(0, MAX_REPORTED_YAML_ERRORS)
    .map((error) => `line ${lineOf(error.pos[0])}: ${error.message.split('\n')[0]}`);
  const definitions: NetplanDefinition[] = [];
  const network = mapPairs(document, valueOf(document, mapPairs(document, document.contents), 'network'));
  for (const kindPair of network) {
    const kind = scalarText(kindPair.key);
    if (!kind || !DEFINITION_KINDS.has(kind)) continue;
    for (const devicePair of mapPairs(document, kindPair.value)) {
      const id = scalarText(devicePair.key);
      if (!id) continue;
      const definition: NetplanDefinition = { id, kind, path, line: lineOf(nodeStart(devicePair.key)) };
      readDeviceKeys(document, mapPairs(document, devicePair.value), definition, lineOf);
      definitions.push(definition);
    }
  }
  return { definitions, errors };
}

function readDeviceKeys(document: Document, pairs: Pair[], definition: NetplanDefinition, lineOf: (offset: number | undefined) => number): void {
  for (const pair of pairs) {
    const key = scalarText(pair.key);
    const value = resolved(document, pair.value);
    if (key === 'dhcp4') definition.dhcp4 = isNetplanTrue(value);
    else if (key === 'dhcp6') definition.dhcp6 = isNetplanTrue(value);
    else if (key === 'addresses') definition.hasAddresses = isSeq(value) && value.items.length > 0;
    else if (key === 'set-name') definition.setName = scalarText(value);
    else if (key === 'activation-mode') definition.activationMode = scalarText(value);
    else if (key === 'match') {
      definition.matched = true;
      for (const matchPair of mapPairs(document, value)) {
        const matchKey = scalarText(matchPair.key);
        const matchValue = resolved(document, matchPair.value);
        const text = scalarText(matchValue);
        if (text === undefined) continue;
        if (matchKey === 'name') definition.matchName = text;
        else if (matchKey === 'macaddress') definition.matchMac = { mac: macOrAsWritten(text), source: { path: definition.path, line: lineOf(nodeStart(matchValue)) } };
      }
    }
  }
}

/**
 * Definitions merged the way netplan merges its files: files are read in
 * order of their names, and a later file's keys for the same id override
 * the earlier ones. The first file keeps the definition's place.
 */
export function mergeNetplanDefinitions(definitions: readonly NetplanDefinition[]): NetplanDefinition[] {
  const merged = new Map<string, NetplanDefinition>();
  for (const definition of definitions) {
    const earlier = merged.get(definition.id);
    if (!earlier) {
      merged.set(definition.id, { ...definition });
      continue;
    }
    for (const [key, value] of Object.entries(definition)) {
      if (value !== undefined && !['id', 'kind', 'path', 'line'].includes(key)) (earlier as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return [...merged.values()];
}

export function netplanConfig(definition: NetplanDefinition): NetworkInterfaceConfig {
  const config: NetworkInterfaceConfig = {
    stack: 'netplan',
    method: definition.dhcp4 || definition.dhcp6 ? 'dhcp' : definition.hasAddresses ? 'static' : 'other',
    // Netplan brings every definition up (optional: only stops boot waiting for it); activation-mode says otherwise.
    atBoot: !['manual', 'off'].includes(definition.activationMode ?? ''),
    source: { path: definition.path, line: definition.line },
  };
  if (!definition.matched) {
    // Without match: the id is the interface name.
    config.interface = definition.id;
  } else {
    // With match: the id is only a label; the device is the one matched,
    // renamed to set-name when that is given.
    const plainName = definition.matchName !== undefined && !GLOB.test(definition.matchName) ? definition.matchName : undefined;
    const name = definition.setName ?? plainName;
    if (name !== undefined) config.interface = name;
    if (definition.matchName !== undefined && plainName === undefined) config.namePattern = definition.matchName;
    if (definition.matchMac) config.macPin = { ...definition.matchMac };
  }
  return config;
}

/** The configurations one netplan file gives on its own. */
export function parseNetplan(text: string, path: string): NetworkInterfaceConfig[] {
  return mergeNetplanDefinitions(parseNetplanFile(text, path).definitions).map(netplanConfig);
}

/** Block indentation: blanks, and the "- ", "? " and ": " indicators that open a nested node on the same line. */
const BLOCK_INDENT = /^[ \t]*(?:[-?:][ \t]+)*/;

/** Why the text nests too deep to be given to the yaml package, if it does: counted, not parsed. */
function nestingProblem(text: string): string | undefined {
  let open = 0;
  let deepestFlow = 0;
  for (let index = 0; index < text.length; index++) {
    const c = text[index];
    if (c === '[' || c === '{') deepestFlow = Math.max(deepestFlow, ++open);
    else if ((c === ']' || c === '}') && open > 0) open--;
  }
  if (deepestFlow > MAX_NETPLAN_FLOW_NESTING) return `it opens more than ${MAX_NETPLAN_FLOW_NESTING} nested [ or { brackets`;
  for (const [index, line] of text.split('\n').entries()) {
    // Blank and comment lines nest nothing, however far they are indented.
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    if (BLOCK_INDENT.exec(line)![0].length > MAX_NETPLAN_BLOCK_INDENT) {
      return `line ${index + 1} is indented more than ${MAX_NETPLAN_BLOCK_INDENT} columns deep`;
    }
  }
  return undefined;
}

function isNetplanTrue(node: unknown): boolean {
  return isScalar(node) && TRUE_WORDS.has(String(node.value).toLowerCase());
}

/** An alias stands for its anchor's node; anything else is itself. */
function resolved(document: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(document) : node;
}

function mapPairs(document: Document, node: unknown): Pair[] {
  const target = resolved(document, node);
  return isMap(target) ? (target.items as Pair[]) : [];
}

function valueOf(document: Document, pairs: Pair[], key: string): unknown {
  return resolved(document, pairs.find((pair) => scalarText(pair.key) === key)?.value);
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
}

function nodeStart(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}
