// Which back end netplan generates each definition for (netplan(5)
// "renderer": on a definition, on its kind, or for the whole file; networkd
// when nothing says). Pure: YAML text in, renderers out.
import { isAlias, isMap, isScalar, LineCounter, parseDocument, type Document, type Pair } from 'yaml';

export type NetplanRenderer = 'networkd' | 'NetworkManager';

/** The device kinds netplan defines under "network:". */
const DEFINITION_KINDS = new Set([
  'ethernets', 'wifis', 'modems', 'bonds', 'bridges', 'vlans', 'tunnels', 'vrfs', 'dummy-devices', 'virtual-ethernets',
]);

export interface NetplanRendererFile {
  path: string;
  global?: NetplanRenderer;
  /** Per kind ("ethernets: renderer: NetworkManager"). */
  kinds: Map<string, NetplanRenderer>;
  devices: { id: string; kind: string; line: number; renderer?: NetplanRenderer }[];
}

function rendererOf(value: string | undefined): NetplanRenderer | undefined {
  if (value === undefined) return undefined;
  return value === 'NetworkManager' ? 'NetworkManager' : 'networkd';
}

function resolved(document: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(document) : node;
}

function pairs(document: Document, node: unknown): Pair[] {
  const target = resolved(document, node);
  return isMap(target) ? (target.items as Pair[]) : [];
}

function text(document: Document, node: unknown): string | undefined {
  const target = resolved(document, node);
  return isScalar(target) && target.value !== null && target.value !== undefined ? String(target.value) : undefined;
}

/** A file that does not parse gives no renderers (the network facts report it). */
export function parseNetplanRenderers(yamlText: string, path: string): NetplanRendererFile {
  const file: NetplanRendererFile = { path, kinds: new Map(), devices: [] };
  const lineCounter = new LineCounter();
  let document: Document;
  try {
    document = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch {
    return file;
  }
  const network = pairs(document, pairs(document, document.contents).find((pair) => text(document, pair.key) === 'network')?.value);
  for (const pair of network) {
    const key = text(document, pair.key);
    if (key === 'renderer') {
      file.global = rendererOf(text(document, pair.value));
      continue;
    }
    if (!key || !DEFINITION_KINDS.has(key)) continue;
    for (const devicePair of pairs(document, pair.value)) {
      const id = text(document, devicePair.key);
      if (!id) continue;
      if (id === 'renderer') {
        const renderer = rendererOf(text(document, devicePair.value));
        if (renderer) file.kinds.set(key, renderer);
        continue;
      }
      const offset = (devicePair.key as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
      const own = pairs(document, devicePair.value).find((p) => text(document, p.key) === 'renderer');
      const device: NetplanRendererFile['devices'][number] = { id, kind: key, line: lineCounter.linePos(offset).line };
      const renderer = rendererOf(own === undefined ? undefined : text(document, own.value));
      if (renderer) device.renderer = renderer;
      file.devices.push(device);
    }
  }
  return file;
}

export interface NetplanRenderers {
  /** The global renderer the last file to set one gives (networkd when none does). */
  global: NetplanRenderer;
  /** "path:line" of a definition's first appearance (where the network facts place it) -> its renderer. */
  byDefinition: Map<string, NetplanRenderer>;
}

/**
 * Merged in the order netplan reads the files (by name): later files
 * override a definition's or a kind's renderer, and the global one.
 */
export function resolveNetplanRenderers(files: readonly NetplanRendererFile[]): NetplanRenderers {
  let global: NetplanRenderer | undefined;
  const kinds = new Map<string, NetplanRenderer>();
  const first = new Map<string, { key: string; kind: string }>();
  const own = new Map<string, NetplanRenderer>();
  for (const file of files) {
    if (file.global) global = file.global;
    for (const [kind, renderer] of file.kinds) kinds.set(kind, renderer);
    for (const device of file.devices) {
      if (!first.has(device.id)) first.set(device.id, { key: `${file.path}:${device.line}`, kind: device.kind });
      if (device.renderer) own.set(device.id, device.renderer);
    }
  }
  const byDefinition = new Map<string, NetplanRenderer>();
  for (const [id, { key, kind }] of first) byDefinition.set(key, own.get(id) ?? kinds.get(kind) ?? global ?? 'networkd');
  return { global: global ?? 'networkd', byDefinition };
}
