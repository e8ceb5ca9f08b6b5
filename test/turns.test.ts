import { describe, expect, it } from 'vitest';
import { Turns } from '../platform/db/turns.ts';

/** A transaction that starts when its turn comes and ends when the test says. */
function transaction(turns: Turns, name: string, log: string[]) {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const begun = turns.transactionTurn().then(async () => {
    log.push(`${name} begins`);
    await ended;
    log.push(`${name} ends`);
    turns.transactionEnded();
  });
  return { begun, end };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A statement that takes a turn of the event loop, as a real one does. */
const statement = (turns: Turns, name: string, log: string[]) =>
  turns.statement(async () => {
    log.push(name);
    await settle();
  });

describe('turns on a connection that runs one thing at a time', () => {
  it('runs a statement that waited for a transaction before the transactions queued behind it', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const a = transaction(turns, 'A', log);
    const b = transaction(turns, 'B', log);
    const read = statement(turns, 'read', log);
    await settle();
    expect(log).toEqual(['A begins']);
    a.end();
    await read;
    await settle();
    expect(log).toEqual(['A begins', 'A ends', 'read', 'B begins']);
    b.end();
    await b.begun;
  });

  it('never runs a statement or another transaction while a transaction is open', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const a = transaction(turns, 'A', log);
    const reads = [statement(turns, 'r1', log), statement(turns, 'r2', log)];
    const b = transaction(turns, 'B', log);
    await settle();
    expect(log).toEqual(['A begins']);
    a.end();
    await Promise.all(reads);
    await settle();
    expect(log).toEqual(['A begins', 'A ends', 'r1', 'r2', 'B begins']);
    const late = statement(turns, 'late', log);
    await settle();
    expect(log).not.toContain('late');
    b.end();
    await late;
    expect(log.slice(-2)).toEqual(['B ends', 'late']);
  });

  it('lets a waiting transaction in after one round of statements, however many keep coming', async () => {
    const turns = new Turns();
    const log: string[] = [];
    let stop = false;
    // Each statement, as it finishes, sends the next: a stream that never leaves the connection idle.
    const stream = async (name: string) => {
      for (let n = 0; !stop; n += 1) await statement(turns, `${name}${n}`, log);
    };
    const streams = [stream('x'), stream('y')];
    await settle();
    const t = transaction(turns, 'T', log);
    for (let i = 0; i < 20 && !log.includes('T begins'); i += 1) await settle();
    expect(log).toContain('T begins');
    // While it is open, nothing else runs.
    const during = log.length;
    await settle();
    expect(log.length).toBe(during);
    stop = true;
    t.end();
    await Promise.all(streams);
    await t.begun;
  });

  it('runs statements at once while no transaction is open or waiting', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const reads = [statement(turns, 'r1', log), statement(turns, 'r2', log)];
    expect(log).toEqual(['r1', 'r2']);
    await Promise.all(reads);
  });
});
