/**
 * Sends notifications so that at most one per channel is on its way at a time: asked again meanwhile, it
 * sends one more when that one is done. A listener thus hears of every change after it happened, in as
 * few notifications as the database can take, however many transactions commit.
 */
export function coalescedNotifier(send: (channel: string) => Promise<void>): (channel: string) => void {
  const sending = new Map<string, { again: boolean }>();
  const start = (channel: string) => {
    const state = { again: false };
    sending.set(channel, state);
    void send(channel)
      .catch((error: Error) => console.error(`notify ${channel}:`, error.message))
      .finally(() => {
        sending.delete(channel);
        if (state.again) start(channel);
      });
  };
  return (channel) => {
    const state = sending.get(channel);
    if (state) state.again = true;
    else start(channel);
  };
}

/** A transaction's notifications, sent once it has committed. */
export class CommitNotifications {
  private readonly channels = new Set<string>();

  constructor(private readonly notify: (channel: string) => void) {}

  add = (channel: string): void => {
    this.channels.add(channel);
  };

  committed(): void {
    for (const channel of this.channels) this.notify(channel);
  }
}
