/**
 * A growing list of byte runs (start, length) in ascending order, kept as
 * pairs in a Float64Array: a dirty filesystem can have hundreds of thousands
 * of runs, and objects per run would cost ten times the memory.
 * Adjacent runs are merged as they are added.
 */
export class ByteRuns {
  private pairs = new Float64Array(256);
  private used = 0;

  add(start: number, length: number): void {
    if (length <= 0) return;
    const last = this.used - 2;
    if (last >= 0 && this.pairs[last]! + this.pairs[last + 1]! === start) {
      this.pairs[last + 1]! += length;
      return;
    }
    if (this.used === this.pairs.length) {
      const grown = new Float64Array(this.pairs.length * 2);
      grown.set(this.pairs);
      this.pairs = grown;
    }
    this.pairs[this.used++] = start;
    this.pairs[this.used++] = length;
  }

  get count(): number {
    return this.used / 2;
  }

  /** The runs as (start, length) pairs, trimmed to size. */
  toPairs(): Float64Array {
    return this.pairs.slice(0, this.used);
  }
}

/** Iterates (start, length) pairs. */
export function* runsOf(pairs: Float64Array): Generator<{ start: number; length: number }> {
  for (let i = 0; i + 1 < pairs.length; i += 2) yield { start: pairs[i]!, length: pairs[i + 1]! };
}
