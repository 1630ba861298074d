import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Writes a download's chunks (the CSV export's pages) to a response whose head is written, then ends it.
 *
 * - Between chunks the event loop gets a turn. On SQLite the reads are synchronous, and a socket that
 *   takes every write at once never asks to wait: a 500,000-row export would hold every other request
 *   of this instance (turns, card actions, the outbox) for its whole 4–5 s.
 * - A client slower than the reads is waited for ('drain'), so the server holds a page or two, not the file.
 * - A client that went away (download cancelled, connection dropped) stops the reads: leaving the loop
 *   closes the generator, whose cleanup drops its read ahead.
 */
export const streamDownload = async (res: ServerResponse, chunks: AsyncIterable<string>, onError: (err: unknown) => void): Promise<void> => {
  try {
    for await (const chunk of chunks) {
      if (res.destroyed) break;
      if (res.write(chunk)) await nextTurn();
      else await drainedOrClosed(res);
    }
  } catch (err) {
    onError(err);
  }
  if (!res.destroyed) res.end();
};

const drainedOrClosed = (res: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
