/**
 * Announces committed events to other processes with NOTIFY, outside the data transactions.
 * PostgreSQL serialises the commits of transactions that NOTIFY (a global lock held through the
 * WAL flush): notifying inside each commit capped 1,000 concurrent runs at ~460 steps/s. Here
 * notices are coalesced (latest seq per run) and sent in one statement while the previous send
 * is in flight. A notice lost to a crash between commit and send is made up by the run's next one
 * (and by the workers' periodic check of run heads).
 *
 * A write with no other write in flight on this process NOTIFYs inside its own statement instead
 * (`InlineNotices`): no extra round trip, and the notice cannot be lost between commit and send.
 */
import type pg from 'pg';
import type { EventNotice } from '../types.js';

export const CHANNEL = 'baton_events';
/** NOTIFY payloads must stay under 8,000 bytes. */
const MAX_PAYLOAD = 7_000;

/**
 * What follows a notice's seq: a new run's session (escaped: a session id may hold `|` or `;`; `-` for
 * none; empty on other notices), then `u` when the run waits for a worker's claim.
 */
export function noticeSuffix(n: Pick<EventNotice, 'sessionId' | 'unclaimed'>): string {
  const session = n.sessionId === undefined ? '' : n.sessionId === null ? '-' : encodeURIComponent(n.sessionId);
  if (n.unclaimed) return `|${session}|u`;
  return n.sessionId === undefined ? '' : `|${session}`;
}

/** A notice up to its seq: a statement that learns the seq itself appends it and the suffix (commit-statement.ts). */
export const noticePrefix = (origin: string, runId: string): string => `${origin}|${runId}|`;

/**
 * Of two notices of one run, the one to send: the later, keeping a new run's session so other nodes still
 * learn of the run, and a request to claim it. A claim request kept too long costs a worker one claim query
 * that finds nothing; one lost leaves the run unleased until a worker's next poll.
 */
export function laterNotice(known: EventNotice | undefined, notice: EventNotice): EventNotice {
  if (!known) return notice;
  const [later, earlier] = known.seq >= notice.seq ? [known, notice] : [notice, known];
  const session = later.sessionId === undefined ? earlier.sessionId : undefined;
  const claim = earlier.unclaimed === true && !later.unclaimed;
  // Almost always nothing to carry over (a step after a step): the later notice as it is, no copy.
  if (session === undefined && !claim) return later;
  return { ...later, ...(session === undefined ? {} : { sessionId: session }), ...(claim ? { unclaimed: true } : {}) };
}

/**
 * A statement that only NOTIFYs `count` payloads ($2…) on the channel ($1). It skips the WAL flush
 * (`synchronous_commit=off` for its transaction): what it announces is already durable.
 */
export const notifyOnlySql = (count: number): string =>
  `select set_config('synchronous_commit', 'off', true), ${Array.from({ length: count }, (_, i) => `pg_notify($1, $${i + 2})`).join(', ')}`;

export const encodeNotices = (notices: EventNotice[]): string => notices.map((n) => `${noticePrefix(n.origin, n.runId)}${n.seq}${noticeSuffix(n)}`).join(';');

export function decodeNotices(payload: string | undefined): EventNotice[] {
  return (payload ?? '').split(';').flatMap((part) => {
    const [origin, runId, seq, session, flags] = part.split('|');
    if (!origin || !runId || !seq) return [];
    const notice: EventNotice = { origin, runId, seq: Number(seq) };
    if (session) notice.sessionId = session === '-' ? null : decodeURIComponent(session);
    if (flags === 'u') notice.unclaimed = true;
    return [notice];
  });
}

function payloads(notices: EventNotice[]): string[] {
  const out: string[] = [];
  let batch: EventNotice[] = [];
  for (const notice of notices) {
    batch.push(notice);
    if (encodeNotices(batch).length > MAX_PAYLOAD) {
      batch.pop();
      out.push(encodeNotices(batch));
      batch = [notice];
    }
  }
  if (batch.length > 0) out.push(encodeNotices(batch));
  return out;
}

/**
 * Decides which one-statement writes NOTIFY themselves: only one with no other write of this process in
 * flight, so this process never queues its own commits behind the NOTIFY lock; the others announce
 * through the Notifier. A sequential run's ten steps so send ten fewer statements.
 */
export class InlineNotices {
  private inFlight = 0;

  /** `present`: whether anyone else may listen (peers.ts); when not, no statement NOTIFYs. */
  constructor(private readonly present: () => boolean = () => true) {}

  begin(): boolean {
    const onlyWrite = this.inFlight++ === 0;
    return onlyWrite && this.present();
  }

  end(): void {
    this.inFlight--;
  }
}

export class Notifier {
  private pending = new Map<string, EventNotice>();
  private sending: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly onError: (error: unknown) => void,
  ) {}

  announce(notice: EventNotice): void {
    this.pending.set(notice.runId, laterNotice(this.pending.get(notice.runId), notice));
    this.sending ??= this.send();
  }

  /** Resolves once everything announced so far has been sent. */
  async drain(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async send(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = [...this.pending.values()];
        this.pending = new Map();
        const texts = payloads(batch);
        await this.pool.query(notifyOnlySql(texts.length), [CHANNEL, ...texts]);
      }
    } catch (error) {
      this.onError(error);
    } finally {
      this.sending = undefined;
    }
  }
}
