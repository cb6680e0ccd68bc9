// A scripted KubeClient for unit tests: answers requests from a handler and lets the test drive watches.

import type { KubeClient, WatchEvent, WatchHandle } from './client.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly contentType: string | undefined;
}

export interface OpenWatch {
  readonly path: string;
  send(e: WatchEvent): void;
  /** Ends the stream normally (undefined) or with an error. */
  end(error?: Error): void;
}

export class FakeKubeClient implements KubeClient {
  readonly requests: RecordedRequest[] = [];
  readonly watches: OpenWatch[] = [];
  private readonly watchWaiters: ((w: OpenWatch) => void)[] = [];

  constructor(private readonly handler: (r: RecordedRequest) => unknown = () => ({})) {}

  request(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const r: RecordedRequest = { method, path, body, contentType };
    this.requests.push(r);
    try {
      return Promise.resolve(this.handler(r));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  watch(path: string, onEvent: (e: WatchEvent) => void, onOpen?: () => void): WatchHandle {
    let settle: (error?: Error) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    let open = true;
    const w: OpenWatch = {
      path,
      send: (e) => {
        if (open) onEvent(e);
      },
      end: (error) => {
        open = false;
        settle(error);
      },
    };
    this.watches.push(w);
    onOpen?.();
    this.watchWaiters.shift()?.(w);
    return { done, abort: () => w.end() };
  }

  /** Resolves with the next watch opened (or one already open and not yet taken). */
  nextWatch(): Promise<OpenWatch> {
    return new Promise((resolve) => this.watchWaiters.push(resolve));
  }
}
