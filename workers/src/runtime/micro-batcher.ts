/**
 * Groups items submitted by concurrently running jobs into batches, so the
 * persist worker writes many bookings per MySQL transaction. A batch closes
 * when it is full or `maxWaitMs` after its first item; at most `maxInFlight`
 * batches are being written at once, and items queue up meanwhile (the
 * natural back-pressure: bigger batches under load). Each submitter gets the
 * result for its own item, or the batch's error.
 */
export interface MicroBatcherOptions {
  maxSize: number;
  maxWaitMs: number;
  maxInFlight: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class MicroBatcher<T, R> {
  readonly #flush: (items: T[]) => Promise<R[]>;
  readonly #options: MicroBatcherOptions;
  #queue: Pending<T, R>[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(flush: (items: T[]) => Promise<R[]>, options: MicroBatcherOptions) {
    this.#flush = flush;
    this.#options = options;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Writes everything queued now and resolves once no batch is in flight. */
  async drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#inFlight > 0) {
      this.#dispatch();
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
  }

  #schedule(): void {
    if (this.#queue.length >= this.#options.maxSize) {
      this.#dispatch();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => this.#dispatch(), this.#options.maxWaitMs);
    }
  }

  #dispatch(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#queue.length > 0 && this.#inFlight < this.#options.maxInFlight) {
      const batch = this.#queue.splice(0, this.#options.maxSize);
      this.#inFlight++;
      void this.#run(batch);
    }
    // Anything left waits for a running batch to finish (#run dispatches again then).
  }

  async #run(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.#flush(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`batch of ${batch.length} returned ${results.length} results`);
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.#inFlight--;
      // Items that queued while this batch was written go out at once: under load, batches grow instead of waiting.
      if (this.#queue.length > 0) this.#dispatch();
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }
}
