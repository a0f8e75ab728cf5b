/**
 * The engine's worker: drives the runs this process holds, renews their leases, claims orphaned
 * runs of the workflows registered here, expires overdue waits, and lets everything go on close.
 */
import { ShutdownError, StaleRunError } from '../errors/index.js';
import type { EventNotice, RunRecord, StepRecord, WaitRecord } from '../store/types.js';
import type { EngineCore } from './core.js';
import { RunDriver } from './run-driver.js';

export interface WorkerOptions {
  pollIntervalMs: number;
  maxConcurrentRuns: number;
  onError: (error: unknown, context: string) => void;
  /** The workflows this process can drive: the only runs it claims. */
  workflowNames: () => string[];
  /** Closes an overdue wait as its phase says (waits.ts). */
  expireWait: (wait: WaitRecord) => Promise<void>;
  /** Another process wrote to a run this one drives (cancel, lost lease): check whether to let go. */
  onForeignWrite: (runId: string) => void;
  /** False for an API node: it starts and resumes runs without taking them (their lease stays free for a worker's claim), claims none and drives none. */
  drive: boolean;
}

/** The lease a run is written with: this node's, or none (left for a worker's claim). */
export interface Lease {
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
}
export const NO_LEASE: Lease = { leaseOwner: null, leaseExpiresAt: null };

export class Worker {
  /** The runs this process drives now, with the promise that settles when each lets go. */
  private readonly drivers = new Map<string, { driver: RunDriver; done: Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private stopListening: (() => Promise<void>) | undefined;
  private ticking: Promise<void> | undefined;
  private claiming: Promise<void> | undefined;
  /** A claim was asked for while one was under way: that one may have read the runs too early, so claim again after it. */
  private claimAgain = false;
  /** Runs may be waiting for a slot here (one was started while every slot was taken, or the last poll filled every free slot): a freed slot polls at once. */
  private backlog = false;
  private closing = false;
  /**
   * Slots promised to runs whose write is in flight (a start, a resume, a claim's query): counted as taken, so
   * that starts arriving together cannot each see the same free slot (a burst of 7 on 2 slots ran all 7 at once).
   */
  private reserved = 0;

  constructor(
    private readonly core: EngineCore,
    private readonly options: WorkerOptions,
  ) {}

  /** Whether this process may take one more run now. */
  private get hasRoom(): boolean {
    return this.options.drive && !this.closing && this.drivers.size + this.reserved < this.options.maxConcurrentRuns;
  }

  /**
   * Writes a run that is to go on running here, then takes it: with this node's lease while a slot is free
   * (held through the write, so that writes arriving together cannot share one), else with none, for the
   * claim that takes it when a slot frees here or on any worker. `taken` reads the written run from the
   * write's result (undefined: nothing to take, an idempotent repeat say); `steps`, when the caller knows
   * them (a new run has none), spare the driver reading them. A write that throws gives its slot back.
   */
  async takeOn<T>(write: (lease: Lease) => Promise<T>, taken: (result: T) => RunRecord | undefined, steps?: StepRecord[]): Promise<T> {
    // Almost always no claim is in flight: a start then pays no extra turn of the event loop.
    if (this.claiming && !this.hasRoom) await this.claimsSettled();
    const lease = this.hasRoom ? { leaseOwner: this.core.nodeId, leaseExpiresAt: this.core.now() + this.core.leaseMs } : undefined;
    if (lease) this.reserved++;
    let result: T;
    try {
      result = await write(lease ?? NO_LEASE);
    } catch (error) {
      if (lease) this.giveBack();
      throw error;
    }
    const run = taken(result);
    if (run?.leaseOwner === this.core.nodeId) {
      // The run takes its slot's place before anything can claim into it.
      if (lease) this.reserved--;
      this.launch(run, steps);
    } else {
      if (lease) this.giveBack();
      if (run?.state === 'running' && run.leaseOwner === null) this.claimSoon();
    }
    return result;
  }

  /**
   * A claim in flight holds every free slot until its query returns, most of them only to hand back: a start
   * arriving meanwhile waits for it rather than go out unleased, where any node's claim could take it (a node
   * drives the runs it starts while it has room). The likely cause of the cluster test's rare wait for node B to
   * run the agent of a run started on B: its 200 ms polls' claims are in flight a good part of the time under load.
   */
  private async claimsSettled(): Promise<void> {
    // Claims may follow one another (a backlog): a few at most, then the start takes what it finds.
    for (let i = 0; i < 3 && this.claiming && !this.hasRoom; i++) await this.claiming;
  }

  /** A reserved slot goes back unused: runs waiting for one may take it. */
  private giveBack(): void {
    this.reserved--;
    if (this.backlog && this.hasRoom) void this.claimNow();
  }

  drives(runId: string): boolean {
    return this.drivers.has(runId);
  }

  /** Stops the agent of a run this process drives (cancelled, taken away): its signal fires with `reason`. */
  abort(runId: string, reason: Error): void {
    this.drivers.get(runId)?.driver.abort(reason);
  }

  async start(): Promise<void> {
    this.stopListening = await this.core.store.listen(
      (notice: EventNotice) => {
        // This process's own notices come back too (LISTEN hears every sender): its hub published those events already.
        if (notice.origin === this.core.store.origin) return;
        this.core.hub.notice(notice);
        // Another process wrote to a run this one drives: a cancel (or a lost lease) must stop the agent now, not at its next commit.
        if (this.drivers.has(notice.runId)) this.options.onForeignWrite(notice.runId);
        // An API node started or resumed a run and left it for a worker: claim it now rather than at the next poll.
        else if (notice.unclaimed) this.claimSoon();
      },
      () => this.core.hub.resync(),
    );
    await this.tick();
    this.schedulePoll();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    await this.ticking;
    await this.claiming;
    const driven = [...this.drivers.keys()];
    const running = [...this.drivers.values()];
    for (const { driver } of running) driver.abort(new ShutdownError());
    await Promise.allSettled(running.map(({ done }) => done));
    // Only the runs driven here: all of the node id's leases freed those of another process started under the same id.
    // With the database away (a shutdown during an outage) the leases lapse after the lease instead: said, never fatal.
    await this.core.store
      .releaseLeases(this.core.nodeId, driven)
      .catch((error: unknown) => this.options.onError(error, 'releasing leases at shutdown (other nodes take the runs once the lease lapses)'));
    await this.stopListening?.();
  }

  /** Drives `run` if this process holds its lease and is not driving it yet; never throws (a bad run is reported, not fatal). */
  private launch(run: RunRecord, steps?: StepRecord[]): void {
    if (run.state !== 'running' || run.leaseOwner !== this.core.nodeId || this.drivers.has(run.id) || this.closing) return;
    let driver: RunDriver;
    try {
      driver = new RunDriver(this.core, run, steps);
    } catch (error) {
      this.options.onError(error, `run ${run.id}`);
      return;
    }
    const done = driver
      .drive()
      .catch((error: unknown) => this.options.onError(error, `run ${run.id}`))
      .finally(() => {
        this.drivers.delete(run.id);
        // Only when runs may be waiting: a poll after every finished run cost two queries a run for nothing.
        if (this.backlog && !this.closing) void this.claimNow();
      });
    this.drivers.set(run.id, { driver, done });
  }

  private schedulePoll(): void {
    if (this.closing) return;
    this.timer = setTimeout(() => this.poll(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  /**
   * A run waits for a claim (started here while every slot was taken, or left unleased by another
   * node): claim it now if a slot is free, else as soon as one frees, not at the next poll (up to
   * `pollIntervalMs` later). The slot may free before or after the run is written; whichever comes
   * last asks for the claim that takes it.
   */
  private claimSoon(): void {
    if (!this.options.drive) return;
    this.backlog = true;
    if (this.hasRoom) void this.claimNow();
  }

  /** The whole poll, every `pollIntervalMs`: leases renewed and checked, runs claimed, overdue waits expired. */
  private poll(): void {
    if (this.ticking || this.closing) return;
    this.ticking = this.tick()
      .catch((error: unknown) => this.options.onError(error, 'poll'))
      .finally(() => {
        this.ticking = undefined;
        this.schedulePoll();
      });
  }

  /**
   * Claims runs now, without the rest of a poll (a claim is one query; renewing and checking every
   * lease on each notice of a new run would cost two more, each over every run driven here). One
   * claim at a time, so two never count the same free slots; one asked for meanwhile runs after it.
   */
  private claimNow(): Promise<void> {
    // A never-started engine gets here only for runs it started itself while every slot was taken (no notices, no
    // polls): they wait for its own slots, not for a start() that a library used in one process may never call.
    if (this.closing) return Promise.resolve();
    if (this.claiming) {
      this.claimAgain = true;
      return this.claiming;
    }
    this.claiming = this.claim()
      .catch((error: unknown) => this.options.onError(error, 'claim'))
      .finally(() => {
        this.claiming = undefined;
        // Asked for meanwhile, or a run was written unleased while this claim held every free slot (its start found
        // none, so it could not ask): claim again, or that run would wait for the next poll.
        const again = this.claimAgain || (this.backlog && this.hasRoom);
        this.claimAgain = false;
        if (again && !this.closing) void this.claimNow();
      });
    return this.claiming;
  }

  private async claim(): Promise<void> {
    const free = this.options.maxConcurrentRuns - this.drivers.size - this.reserved;
    if (free <= 0 || !this.options.drive) return;
    const { store, nodeId, leaseMs } = this.core;
    this.backlog = false;
    // The free slots are the claim's while its query runs: a start meanwhile finds none and waits for the next claim.
    this.reserved += free;
    let claimed: RunRecord[];
    try {
      claimed = await store.claimRuns(nodeId, this.core.now(), leaseMs, free, this.options.workflowNames());
    } finally {
      this.reserved -= free;
    }
    // Every free slot filled: more runs may be waiting.
    if (claimed.length === free) this.backlog = true;
    for (const run of claimed) this.launch(run);
  }

  private async tick(): Promise<void> {
    const { store, nodeId, leaseMs } = this.core;
    const now = this.core.now();
    const driven = [...this.drivers.keys()];
    await store.renewLeases(nodeId, driven, now + leaseMs);
    // Every poll (pollIntervalMs, default 1 s): a driven run no longer running under our lease was
    // cancelled or taken over, and its notice was lost (its sender died, or our LISTEN connection was
    // down): stop its agent now rather than at its next commit.
    if (driven.length > 0) {
      const held = new Set(await store.heldLeases(nodeId, driven));
      for (const runId of driven) if (!held.has(runId) && this.drivers.has(runId)) this.options.onForeignWrite(runId);
    }
    await this.claimNow();
    for (const wait of await store.dueWaits(now, 100, this.options.workflowNames())) {
      await this.options.expireWait(wait).catch((error: unknown) => {
        if (!(error instanceof StaleRunError)) this.options.onError(error, `deadline of wait ${wait.id}`);
      });
    }
  }
}
