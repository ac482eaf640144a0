/**
 * Reads shared by the checks of one diagnosis. Several checks look at the same release (its pods,
 * its ReplicaSets); the first to ask loads it, and the others, at the same time or later in the run,
 * get that answer. All checks of a run then judge one snapshot, and the API server is asked once.
 * A failed read is shared by whoever waited on it, then forgotten, so a later check asks again.
 * Only small, release-scoped lists belong here: a cluster-wide pod list would pin megabytes.
 */
export class RunReads {
  readonly #answers = new Map<string, Promise<unknown>>();

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    let answer = this.#answers.get(key) as Promise<T> | undefined;
    if (!answer) {
      answer = load();
      this.#answers.set(key, answer);
      answer.catch(() => this.#answers.delete(key));
    }
    return answer;
  }

  /** A view of these reads for one scope (one cluster): two clusters never share an answer. */
  scoped(scope: string): SharedReads {
    return { get: (key, load) => this.get(`${scope}\u0000${key}`, load) };
  }
}

/** What a check's clients see of the reads of its run. */
export type SharedReads = Pick<RunReads, 'get'>;

/**
 * The RunReads of each diagnosis a worker process is running checks of, by run id. A run's checks
 * start together (one flow), so an entry is kept for `ttlMs` from its first use and then dropped;
 * a job of the run that starts later than that (a late retry) reads afresh.
 */
export class RunReadsByRun {
  readonly #runs = new Map<string, { reads: RunReads; until: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  of(runId: string): RunReads {
    const now = this.clock();
    for (const [id, r] of this.#runs) if (r.until <= now) this.#runs.delete(id);
    let entry = this.#runs.get(runId);
    if (!entry) {
      entry = { reads: new RunReads(), until: now + this.ttlMs };
      this.#runs.set(runId, entry);
    }
    return entry.reads;
  }

  get size(): number {
    return this.#runs.size;
  }
}
