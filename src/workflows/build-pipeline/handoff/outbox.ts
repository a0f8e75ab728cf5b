/**
 * The team's notifications: written to the outbox first (keyed, so a re-run never writes a second one), then posted
 * to the webhook with the key as `Idempotency-Key` and marked sent. A failed post stays pending and is retried by
 * the next handoff; a crash between the post and the mark can repeat a post, which the key lets a receiver drop.
 */
import type { BuildData, OutboxEntry } from '../data/index.js';

export type DeliveryStatus = 'sent' | 'already_sent' | 'pending' | 'no_webhook';

export interface DeliveryOptions {
  webhookUrl: string | undefined;
  now: () => number;
  timeoutMs?: number;
}

async function post(entry: OutboxEntry, url: string, timeoutMs: number): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': entry.key, 'x-baton-event': entry.kind },
    body: entry.payload,
    signal: AbortSignal.timeout(timeoutMs),
  });
  // The body is not needed; reading it frees the connection.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
}

/** Sends one notification unless it was sent; answers what happened. */
export async function deliver(data: BuildData, key: string, options: DeliveryOptions): Promise<{ status: DeliveryStatus; attempts: number; error?: string }> {
  const entry = await data.notification(key);
  if (!entry) throw new Error(`notification ${key} is not in the outbox`);
  if (entry.sent_at !== null) return { status: 'already_sent', attempts: entry.attempts };
  if (!options.webhookUrl) return { status: 'no_webhook', attempts: entry.attempts };
  try {
    await post(entry, options.webhookUrl, options.timeoutMs ?? 10_000);
    await data.markNotification(key, { sent_at: options.now() });
    return { status: 'sent', attempts: entry.attempts + 1 };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await data.markNotification(key, { error: message });
    return { status: 'pending', attempts: entry.attempts + 1, error: message };
  }
}

/** Retries what earlier handoffs could not send (oldest first); answers how many went out. */
export async function flushPending(data: BuildData, options: DeliveryOptions, exceptKey?: string): Promise<number> {
  if (!options.webhookUrl) return 0;
  let sent = 0;
  for (const entry of await data.pendingNotifications()) {
    if (entry.key === exceptKey) continue;
    if ((await deliver(data, entry.key, options)).status === 'sent') sent += 1;
  }
  return sent;
}
