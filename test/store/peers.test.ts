// Who else listens, told by hellos on the channel: the timing rules of peers.ts on a clock the test moves.
import { afterEach, expect, it } from 'vitest';
import { ABSENT_AFTER_MS, ANSWER_WITHIN_MS, helloFrom, HOLD_MS, Peers } from '../../src/store/postgres/peers.js';
import type { EventNotice } from '../../src/store/index.js';

let clock = 0;
let sent: EventNotice[] = [];
let said: string[] = [];
let peers: Peers;

function listeningAlone(): Peers {
  clock = 1_000_000;
  sent = [];
  said = [];
  peers = new Peers({ origin: 'me', send: (notice) => sent.push(notice), sayHello: (payload) => said.push(payload), now: () => clock });
  peers.listening();
  return peers;
}

const notice = (runId: string, seq: number): EventNotice => ({ origin: 'me', runId, seq });

afterEach(() => peers.stop());

it('asks who listens when it starts listening, and notifies until the answers are due', () => {
  listeningAlone();
  expect(said.map(helloFrom)).toEqual([{ origin: 'me', asks: true }]);
  peers.announce(notice('r', 1));
  expect(sent).toHaveLength(1);
  clock += ANSWER_WITHIN_MS;
  peers.announce(notice('r', 2));
  expect(sent).toHaveLength(1);
});

it('answers a process that asks, and only one that asks', () => {
  listeningAlone();
  peers.heard({ origin: 'other', asks: false });
  expect(said).toHaveLength(1);
  peers.heard({ origin: 'other', asks: true });
  expect(said.map(helloFrom).at(-1)).toEqual({ origin: 'me', asks: false });
  // Its own question comes back on the channel too: no answer to itself.
  peers.heard({ origin: 'me', asks: true });
  expect(said).toHaveLength(2);
});

it('holds the latest notice per run while alone and sends them at the next hello, then stops again after the silence', () => {
  listeningAlone();
  clock += ANSWER_WITHIN_MS;
  peers.announce({ ...notice('a', 1), sessionId: 's' });
  peers.announce(notice('a', 2));
  peers.announce(notice('b', 7));
  expect(sent).toEqual([]);
  peers.heard({ origin: 'other', asks: false });
  expect(sent).toEqual([{ origin: 'me', runId: 'a', seq: 2, sessionId: 's' }, notice('b', 7)]);
  clock += ABSENT_AFTER_MS - 1;
  peers.announce(notice('a', 3));
  expect(sent).toHaveLength(3);
  clock += 1;
  peers.announce(notice('a', 4));
  expect(sent).toHaveLength(3);
});

it("keeps a held run's request to be claimed when a later notice of it replaces the one that asked", () => {
  listeningAlone();
  clock += ANSWER_WITHIN_MS;
  // Started unleased by an API node alone (no worker yet), then a decision on it: the run still waits for a claim.
  peers.announce({ ...notice('a', 1), sessionId: null, unclaimed: true });
  peers.announce(notice('a', 2));
  peers.heard({ origin: 'worker', asks: true });
  expect(sent).toEqual([{ origin: 'me', runId: 'a', seq: 2, sessionId: null, unclaimed: true }]);
});

it('drops notices held longer than HOLD_MS: a newcomer reads those runs from the store', () => {
  listeningAlone();
  clock += ANSWER_WITHIN_MS;
  peers.announce(notice('old', 1));
  clock += HOLD_MS + 1;
  peers.announce(notice('new', 1));
  peers.heard({ origin: 'other', asks: true });
  expect(sent).toEqual([notice('new', 1)]);
});

it('notifies whenever it cannot hear (no LISTEN session up) or a listener of its own follows, sending what it held', () => {
  listeningAlone();
  clock += ANSWER_WITHIN_MS;
  peers.announce(notice('a', 1));
  const unfollow = peers.followOwn();
  expect(sent).toEqual([notice('a', 1)]);
  peers.announce(notice('a', 2));
  expect(sent).toHaveLength(2);
  unfollow();
  peers.announce(notice('a', 3));
  expect(sent).toHaveLength(2);
  peers.notListening();
  expect(sent.at(-1)).toEqual(notice('a', 3));
  peers.announce(notice('a', 4));
  expect(sent.at(-1)).toEqual(notice('a', 4));
});
