import { describe, expect, it } from 'vitest';
import { CredentialWatcher } from '../gateway/credentials.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { AsyncQueue } from '../platform/asyncQueue.ts';

/**
 * The gateway watches a partner's credentials for as long as one of its subscriptions runs, and no
 * longer: a subscription that ended, however it ended, costs partners no more questions.
 */

const partner = (partnerId: string): Principal => ({
  subject: `person-of-${partnerId}`,
  partnerId,
  roles: ['partner'],
});

function watcherAsking(asked: string[][]) {
  return new CredentialWatcher(
    async (partnerIds) => {
      asked.push([...partnerIds].sort());
      return { partnerIds: [], keyIds: [] };
    },
    () => 0,
    60_000,
  );
}

function subscription(watcher: CredentialWatcher, principal: Principal): AsyncQueue<string> {
  const queue = new AsyncQueue<string>();
  queue.onClose(watcher.watch(principal));
  return queue;
}

describe('the credential watcher', () => {
  it('watches each partner while a subscription of it runs, until the client leaves or reads the end', async () => {
    const asked: string[][] = [];
    const watcher = watcherAsking(asked);
    const left = subscription(watcher, partner('P1'));
    const ended = subscription(watcher, partner('P2'));
    const running = subscription(watcher, partner('P3'));
    await watcher.revalidate();
    expect(asked).toEqual([['P1', 'P2', 'P3']]);

    await left.return();
    ended.push('last event');
    ended.end();
    expect(await ended.next()).toEqual({ value: 'last event', done: false });
    // Ended but not read to its end: the client is still reading, so the partner is still watched.
    await watcher.revalidate();
    expect(asked[1]).toEqual(['P2', 'P3']);
    expect(await ended.next()).toEqual({ value: undefined, done: true });
    await watcher.revalidate();
    expect(asked[2]).toEqual(['P3']);

    const waiting = running.next();
    running.end();
    expect(await waiting).toEqual({ value: undefined, done: true });
    await watcher.revalidate();
    expect(asked).toHaveLength(3);
  });

  it("does not watch the company's own people", async () => {
    const asked: string[][] = [];
    const watcher = watcherAsking(asked);
    subscription(watcher, { subject: 'buyer', roles: ['buyer'] });
    await watcher.revalidate();
    expect(asked).toEqual([]);
  });
});
