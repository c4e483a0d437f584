/**
 * Progress on stderr, so stdout carries only results (the summary line can be
 * piped or grepped). A terminal gets one line rewritten in place; a log file
 * gets a line every ~10 % or every few seconds, whichever comes first.
 */
export class Progress {
  readonly #label: string;
  readonly #total: number;
  readonly #tty = Boolean(process.stderr.isTTY);
  readonly #started = performance.now();
  #lastPrint = 0;
  #lastShare = -1;

  constructor(label: string, total: number) {
    this.#label = label;
    this.#total = total;
  }

  update(done: number, extra = ''): void {
    const now = performance.now();
    const share = this.#total > 0 ? done / this.#total : 0;
    if (this.#tty) {
      if (now - this.#lastPrint < 100 && done < this.#total) return;
      process.stderr.write(`\r\x1b[2K${this.#line(done, share, extra)}`);
    } else {
      const decile = Math.floor(share * 10);
      if (decile === this.#lastShare && now - this.#lastPrint < 5000 && done < this.#total) return;
      this.#lastShare = decile;
      process.stderr.write(`${this.#line(done, share, extra)}\n`);
    }
    this.#lastPrint = now;
  }

  done(extra = ''): void {
    const seconds = (performance.now() - this.#started) / 1000;
    const line = `${this.#label}: done in ${seconds.toFixed(1)} s${extra ? ` (${extra})` : ''}`;
    process.stderr.write(this.#tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  #line(done: number, share: number, extra: string): string {
    const seconds = (performance.now() - this.#started) / 1000;
    return `${this.#label}: ${done}/${this.#total} (${(share * 100).toFixed(0)} %, ${seconds.toFixed(1)} s)${extra ? ` ${extra}` : ''}`;
  }
}

export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function mapPool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>, onDone?: (done: number) => void): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}
