// The knobs and mutators of the property tests (test/unit/fuzz-*.test.ts).
// CI runs a fixed seed and a small count; FUZZ_RUNS raises the count and
// FUZZ_SEED changes the seed, e.g. FUZZ_RUNS=5000 FUZZ_SEED=7 npx vitest run test/unit/fuzz-*.
// A counterexample is printed as the mutation list, small enough to paste
// into a regular test case.
import fc from 'fast-check';
import { expect } from 'vitest';
import { SpotlintError } from '../../src/errors.js';

function envInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name}=${text} is not a whole number`);
  return value;
}

export const FUZZ_RUNS = envInteger('FUZZ_RUNS', 200);
export const FUZZ_SEED = envInteger('FUZZ_SEED', 20_240_611);

/** fast-check parameters: the seed and run count above; `scale` for properties whose runs are costly. */
export function fuzzParameters<T>(scale = 1): fc.Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(FUZZ_RUNS * scale)) };
}

/** Wall-clock bound of one parser call. Generous: CI shares the CPU; a hang or a quadratic walk is far slower. */
export const CALL_LIMIT_MS = 1000;
/** An async call still pending after this is reported as a hang instead of stalling the test run. */
const HANG_LIMIT_MS = 20_000;

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs one parser call and checks the contract every parser has on hostile
 * input: it returns a value or throws one of `allowed` (by default our own
 * SpotlintError), and it does so within `limitMs`. Returns the value, or
 * undefined when the call threw an allowed error. A call over the limit is
 * timed once more: a stall of the shared machine (another job, a GC) is
 * slow once, a slow parser twice.
 */
export async function expectValueOrOwnError<T>(
  call: () => T | Promise<T>,
  { allowed = [SpotlintError], limitMs = CALL_LIMIT_MS }: { allowed?: readonly ErrorClass[]; limitMs?: number } = {},
): Promise<T | undefined> {
  // Let the event loop turn: a long run of synchronous parses would otherwise starve vitest's worker messages.
  await new Promise((resolve) => setImmediate(resolve));
  let outcome = await timedCall(call);
  if (outcome.elapsed >= limitMs) {
    const again = await timedCall(call);
    outcome = { ...outcome, elapsed: Math.min(outcome.elapsed, again.elapsed) };
  }
  if ('thrown' in outcome && !allowed.some((kind) => outcome.thrown instanceof kind)) {
    // The foreign error itself, stack and all, is the most useful report.
    throw outcome.thrown;
  }
  expect(outcome.elapsed, 'wall time of one call (ms)').toBeLessThan(limitMs);
  return 'value' in outcome ? outcome.value : undefined;
}

type Timed<T> = ({ value: T } | { thrown: unknown }) & { elapsed: number };

async function timedCall<T>(call: () => T | Promise<T>): Promise<Timed<T>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${HANG_LIMIT_MS} ms: a hang`)), HANG_LIMIT_MS);
  });
  try {
    const value = await Promise.race([Promise.resolve().then(call), hang]);
    return { value, elapsed: performance.now() - started };
  } catch (thrown) {
    return { thrown, elapsed: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** One change to a byte buffer. Offsets past the end are taken modulo its length. */
export type ByteMutation =
  | { flip: number; bit: number }
  | { set: number; byte: number }
  | { word: number; width: 2 | 4 | 8; littleEndian: boolean; value: bigint }
  | { fill: number; length: number; byte: number }
  | { copyFrom: number; to: number; length: number }
  | { truncateTo: number };

/** Values that break size and count fields: zero, one, signs, all ones, just past powers of two. */
const INTERESTING_WORDS = [
  0n, 1n, 2n, 7n, 8n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x1ffn, 0x200n, 0x7fffn, 0x8000n, 0xffffn,
  0x1_0000n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 2n ** 53n, 2n ** 53n + 1n,
  2n ** 62n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n,
];

/**
 * Byte mutations of a buffer of `size` bytes, biased towards `hotRanges`
 * ([start, end) pairs: headers, table entries) where the fields live.
 */
export function byteMutations(size: number, hotRanges: ReadonlyArray<readonly [number, number]> = [], maxMutations = 6): fc.Arbitrary<ByteMutation[]> {
  const anywhere = fc.nat({ max: Math.max(0, size - 1) });
  const hot = hotRanges.length === 0 ? anywhere : fc.oneof(...hotRanges.map(([start, end]) => fc.integer({ min: start, max: Math.max(start, end - 1) })));
  const offset = fc.oneof({ arbitrary: hot, weight: 4 }, { arbitrary: anywhere, weight: 1 });
  const word = fc.oneof(fc.constantFrom(...INTERESTING_WORDS), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
  const mutation: fc.Arbitrary<ByteMutation> = fc.oneof(
    { arbitrary: fc.record({ flip: offset, bit: fc.integer({ min: 0, max: 7 }) }), weight: 4 },
    { arbitrary: fc.record({ set: offset, byte: fc.oneof(fc.constantFrom(0, 0xff, 0x80, 0x7f), fc.integer({ min: 0, max: 255 })) }), weight: 3 },
    { arbitrary: fc.record({ word: offset, width: fc.constantFrom(2 as const, 4 as const, 8 as const), littleEndian: fc.boolean(), value: word }), weight: 4 },
    { arbitrary: fc.record({ fill: offset, length: fc.integer({ min: 1, max: 1024 }), byte: fc.constantFrom(0, 0xff) }), weight: 1 },
    { arbitrary: fc.record({ copyFrom: anywhere, to: offset, length: fc.integer({ min: 1, max: 1024 }) }), weight: 1 },
    { arbitrary: fc.record({ truncateTo: anywhere }), weight: 1 },
  );
  return fc.array(mutation, { minLength: 1, maxLength: maxMutations });
}

/** A copy of `base` with the mutations applied in order. */
export function applyByteMutations(base: Buffer, mutations: readonly ByteMutation[]): Buffer {
  let bytes = Buffer.from(base);
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = (offset: number) => offset % bytes.length;
    if ('flip' in m) bytes[at(m.flip)]! ^= 1 << m.bit;
    else if ('set' in m) bytes[at(m.set)] = m.byte;
    else if ('word' in m) writeWord(bytes, at(m.word), m.width, m.littleEndian, m.value);
    else if ('fill' in m) bytes.fill(m.byte, at(m.fill), Math.min(bytes.length, at(m.fill) + m.length));
    else if ('copyFrom' in m) bytes.copy(bytes, at(m.to), at(m.copyFrom), Math.min(bytes.length, at(m.copyFrom) + m.length));
    else bytes = bytes.subarray(0, at(m.truncateTo));
  }
  return bytes;
}

function writeWord(bytes: Buffer, offset: number, width: 2 | 4 | 8, littleEndian: boolean, value: bigint): void {
  const field = Buffer.alloc(8);
  field.writeBigUInt64BE(value & (2n ** 64n - 1n));
  const wanted = field.subarray(8 - width);
  if (littleEndian) wanted.reverse();
  wanted.copy(bytes, offset, 0, Math.min(width, bytes.length - offset));
}

/** One change to a text. Positions past the end are taken modulo its length + 1. */
export type TextMutation =
  | { insert: string; at: number }
  | { remove: number; length: number }
  | { repeat: string; times: number; at: number }
  | { duplicateLine: number }
  | { swapLines: [number, number] };

/** What line-oriented configuration syntaxes give meaning to. */
const SYNTAX_PIECES = [
  ' ', '\t', '\n', '\r\n', '\r', '\\', '\\\n', '"', "'", '#', ';', '=', ':', ',', '[', ']', '{', '}', '%', '$', '`',
  '-', '*', '?', '&', '!', '|', '@', '/', '..', '\0', '\x1b', '\u00e9', '\ufeff', '\ud800', '\u{1f600}',
  'Match', 'Include', 'iface', 'auto', 'source', '[Unit]', '[Install]', 'WantedBy=', 'network:', 'ethernets:', '  ',
  '- ', '&a', '*a', '<<: *a', '!!binary', '---', '...', 'UUID=', 'root:x:0:0', '::', 'PRETTY_NAME=',
];
/** Characters that make a backtracking regular expression or a joining loop quadratic when repeated. */
const RUN_PIECES = [' ', '\t', '\\', '\\\n', '"', "'", '#', '=', ':', 'a', '0', '%', '[', '-', ' \n', '\n', '\r', '- ', '{', '['];

/** Text mutations: syntax pieces and arbitrary strings inserted, ranges removed, lines doubled or swapped, and long runs. */
export function textMutations(maxMutations = 6, maxRun = 60_000): fc.Arbitrary<TextMutation[]> {
  const position = fc.nat({ max: 1 << 20 });
  const piece = fc.oneof(
    { arbitrary: fc.constantFrom(...SYNTAX_PIECES), weight: 3 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }), weight: 1 },
  );
  const mutation: fc.Arbitrary<TextMutation> = fc.oneof(
    { arbitrary: fc.record({ insert: piece, at: position }), weight: 5 },
    { arbitrary: fc.record({ remove: position, length: fc.integer({ min: 1, max: 64 }) }), weight: 2 },
    { arbitrary: fc.record({ repeat: fc.constantFrom(...RUN_PIECES), times: fc.integer({ min: 2, max: maxRun }), at: position }), weight: 1 },
    { arbitrary: fc.record({ duplicateLine: position }), weight: 1 },
    { arbitrary: fc.record({ swapLines: fc.tuple(position, position) }), weight: 1 },
  );
  return fc.array(mutation, { minLength: 1, maxLength: maxMutations });
}

export function applyTextMutations(base: string, mutations: readonly TextMutation[]): string {
  let text = base;
  for (const m of mutations) {
    const at = (position: number) => position % (text.length + 1);
    if ('insert' in m) text = text.slice(0, at(m.at)) + m.insert + text.slice(at(m.at));
    else if ('remove' in m) text = text.slice(0, at(m.remove)) + text.slice(at(m.remove) + m.length);
    else if ('repeat' in m) text = text.slice(0, at(m.at)) + m.repeat.repeat(m.times) + text.slice(at(m.at));
    else {
      const lines = text.split('\n');
      const line = (position: number) => position % lines.length;
      if ('duplicateLine' in m) lines.splice(line(m.duplicateLine), 0, lines[line(m.duplicateLine)]!);
      else [lines[line(m.swapLines[0])], lines[line(m.swapLines[1])]] = [lines[line(m.swapLines[1])]!, lines[line(m.swapLines[0])]!];
      text = lines.join('\n');
    }
  }
  return text;
}

/** A text and how it was made, printed compactly when it is a counterexample (a long run is not spelled out). */
export interface HostileText {
  text: string;
  [fc.toStringMethod](): string;
}

/** A realistic file (one of `seeds`), mutated; or an arbitrary string (lone surrogates and control characters included). */
export function hostileText(seeds: readonly string[]): fc.Arbitrary<HostileText> {
  const mutated = fc.tuple(fc.nat({ max: seeds.length - 1 }), textMutations()).map(([index, mutations]): HostileText => ({
    text: applyTextMutations(seeds[index]!, mutations),
    [fc.toStringMethod]: () => `seed ${index} mutated by ${fc.stringify(mutations)}`,
  }));
  const arbitrary = fc.string({ unit: 'binary', maxLength: 400 }).map((text): HostileText => ({
    text,
    [fc.toStringMethod]: () => fc.stringify(text),
  }));
  return fc.oneof({ arbitrary: mutated, weight: 4 }, { arbitrary, weight: 1 });
}
