import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { streamDownload } from '../../bot/web/stream-download';

/**
 * The CSV export's writer over real HTTP: the chunks come from a generator that never waits on I/O
 * (as SQLite's synchronous reads make the export's), as fast as the socket takes them.
 */
describe('streamDownload', () => {
  const CHUNK = `${'x'.repeat(99)}\n`; // small: the socket takes every write at once and never asks to wait

  const serve = async (chunks: () => AsyncIterable<string>, onError: (err: unknown) => void = () => undefined) => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      void streamDownload(res, chunks(), onError);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
  };

  test('other work of the process runs while a long download streams (the event loop is not held)', async () => {
    const total = 2_000;
    let pulled = 0;
    const { server, url } = await serve(async function* () {
      for (let i = 0; i < total; i++) {
        pulled++;
        yield CHUNK;
      }
    });
    // A timer due right away: without a turn of the event loop between chunks it would fire only
    // after the last chunk was read.
    let pulledWhenTimerRan = -1;
    const res = await fetch(url);
    setTimeout(() => (pulledWhenTimerRan = pulled), 0);
    const body = await res.text();
    server.closeAllConnections();
    server.close();
    expect(body.length).toBe(total * CHUNK.length);
    expect(pulledWhenTimerRan).toBeGreaterThanOrEqual(0);
    expect(pulledWhenTimerRan).toBeLessThan(total / 2);
  });

  test('a client that goes away stops the reads, and the generator cleans up', async () => {
    const page = CHUNK.repeat(50); // 5 KB: the socket's buffer fills and the writer waits for it
    let pulled = 0;
    let cleanedUp = false;
    const { server, url } = await serve(async function* () {
      try {
        for (let i = 0; i < 1_000_000; i++) {
          pulled++;
          yield page;
        }
      } finally {
        cleanedUp = true;
      }
    });
    const controller = new AbortController();
    const res = await fetch(url, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => undefined);
    for (let i = 0; i < 200 && !cleanedUp; i++) await new Promise((r) => setTimeout(r, 10));
    server.closeAllConnections();
    server.close();
    expect(cleanedUp).toBe(true);
    expect(pulled).toBeLessThan(1_000_000);
    const stoppedAt = pulled;
    await new Promise((r) => setTimeout(r, 50));
    expect(pulled).toBe(stoppedAt);
  });

  test('a read that fails midway is reported and the response ends with what was sent', async () => {
    const errors: unknown[] = [];
    const { server, url } = await serve(
      async function* () {
        yield 'a,b\r\n';
        yield '1,2\r\n';
        throw new Error('database went away');
      },
      (err) => errors.push(err),
    );
    const body = await (await fetch(url)).text();
    server.closeAllConnections();
    server.close();
    expect(body).toBe('a,b\r\n1,2\r\n');
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/database went away/);
  });
});
