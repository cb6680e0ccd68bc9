// The few HTTP calls the operator makes to the API server, behind one small interface so that informers, the
// status writer, events and leader election can be tested against fakes.
//
// @kubernetes/client-node supplies what is hard to get right (kubeconfig loading, in-cluster service-account
// tokens, client certificates, exec/OIDC authenticators); the requests themselves are plain HTTPS. Its own
// ListWatch keeps every full object in memory and stops for good on the first network error, which is neither
// bounded nor self-healing, so list and watch are done here instead.

import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';

/** An HTTP error from the API server (or the network, with `status` 0). */
export class KubeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** `reason` of the returned Status object (`Expired`, `AlreadyExists`, `Conflict`, …) when there is one. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

/** One line of a watch stream. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR' | string;
  readonly object: unknown;
}

export interface WatchHandle {
  /** Resolves when the stream ends (server closed it, timeout, abort); rejects on a network or HTTP error. */
  readonly done: Promise<void>;
  abort(): void;
}

export interface KubeClient {
  /** A JSON request; resolves to the parsed body, rejects with KubeError for any non-2xx answer. */
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown>;
  /** Opens a watch; `onOpen` once the server accepted it, `onEvent` for each event line until the stream ends. */
  watch(path: string, onEvent: (e: WatchEvent) => void, onOpen?: () => void): WatchHandle;
}

function statusReason(body: string): { message?: string; reason?: string } {
  try {
    const v: unknown = JSON.parse(body);
    if (typeof v === 'object' && v !== null) {
      const o = v as { message?: unknown; reason?: unknown };
      return {
        ...(typeof o.message === 'string' ? { message: o.message } : {}),
        ...(typeof o.reason === 'string' ? { reason: o.reason } : {}),
      };
    }
  } catch {
    // not a Status object
  }
  return {};
}

/**
 * Loads the kubeconfig: the given file, else in-cluster when running in a pod, else the default locations.
 * @kubernetes/client-node is imported here, on first use, not with this module: it is large (13 MB of source
 * text, about 20 MB of a process's memory once loaded), and `serve`, `compile` and `bootstrap`, which load the
 * CLI's every command, never talk to an API server.
 */
export async function loadKubeConfig(path?: string): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (path !== undefined) kc.loadFromFile(path);
  else if (process.env['KUBERNETES_SERVICE_HOST'] !== undefined) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

/** A KubeClient over node:http(s) with the kubeconfig's credentials. */
export class HttpKubeClient implements KubeClient {
  private readonly server: URL;

  constructor(
    private readonly kc: KubeConfig,
    /** Per-request timeout for non-watch calls. */
    private readonly timeoutMs = 15_000,
    /** A watch that receives nothing for this long is considered dead (watches ask for timeoutSeconds below it). */
    private readonly watchIdleMs = 120_000,
  ) {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new Error('kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
  }

  private async options(method: string, path: string): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
    // Re-applied per request: tokens (in-cluster, exec plugins) rotate.
    await this.kc.applyToHTTPSOptions(opts);
    const prefix = this.server.pathname === '/' ? '' : this.server.pathname.replace(/\/$/, '');
    return {
      ...opts,
      agent: undefined,
      protocol: this.server.protocol,
      hostname: this.server.hostname.replace(/^\[(.*)\]$/, '$1'),
      port:
        this.server.port === '' ? (this.server.protocol === 'https:' ? 443 : 80) : Number(this.server.port),
      path: prefix + path,
    };
  }

  private send(opts: https.RequestOptions): http.ClientRequest {
    return opts.protocol === 'http:' ? http.request(opts) : https.request(opts);
  }

  async request(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const opts = await this.options(method, path);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload !== undefined) {
      opts.headers = {
        ...opts.headers,
        'Content-Type': contentType ?? 'application/json',
        'Content-Length': payload.length,
      };
    }
    return new Promise((resolve, reject) => {
      const req = this.send(opts);
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`timeout after ${this.timeoutMs} ms`)));
      req.on('error', (e) => reject(new KubeError(0, `${method} ${path}: ${e.message}`)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new KubeError(0, `${method} ${path}: ${e.message}`)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            const s = statusReason(text);
            reject(
              new KubeError(
                status,
                `${method} ${path}: ${status} ${s.message ?? text.slice(0, 200)}`,
                s.reason,
              ),
            );
            return;
          }
          try {
            resolve(text === '' ? {} : (JSON.parse(text) as unknown));
          } catch (e) {
            reject(
              new KubeError(0, `${method} ${path}: bad JSON: ${e instanceof Error ? e.message : String(e)}`),
            );
          }
        });
      });
      req.end(payload);
    });
  }

  watch(path: string, onEvent: (e: WatchEvent) => void, onOpen?: () => void): WatchHandle {
    let req: http.ClientRequest | undefined;
    let aborted = false;
    const done = (async (): Promise<void> => {
      const opts = await this.options('GET', path);
      if (aborted) return;
      await new Promise<void>((resolve, reject) => {
        const r = this.send(opts);
        req = r;
        // A server that vanished without closing the connection sends nothing, not even bookmarks.
        r.setTimeout(this.watchIdleMs, () => r.destroy(new Error(`no data for ${this.watchIdleMs} ms`)));
        r.on('error', (e) => (aborted ? resolve() : reject(new KubeError(0, `watch ${path}: ${e.message}`))));
        r.on('response', (res) => {
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const s = statusReason(Buffer.concat(chunks).toString('utf8'));
              reject(new KubeError(status, `watch ${path}: ${status} ${s.message ?? ''}`, s.reason));
            });
            return;
          }
          onOpen?.();
          const lines = createInterface({ input: res, crlfDelay: Infinity });
          lines.on('line', (line) => {
            if (line.trim() === '') return;
            let parsed: unknown;
            try {
              parsed = JSON.parse(line);
            } catch {
              return;
            }
            if (typeof parsed === 'object' && parsed !== null) {
              const e = parsed as { type?: unknown; object?: unknown };
              if (typeof e.type === 'string') onEvent({ type: e.type, object: e.object });
            }
          });
          res.on('error', (e) =>
            aborted ? resolve() : reject(new KubeError(0, `watch ${path}: ${e.message}`)),
          );
          // A stream the server ends on its own (timeoutSeconds) is a normal end; one cut short by a dying
          // server surfaces as 'aborted'/'error' first.
          res.on('aborted', () =>
            aborted ? resolve() : reject(new KubeError(0, `watch ${path}: connection lost`)),
          );
          // readline re-emits the response's errors (a reset connection): without this listener they would crash
          // the process instead of ending the watch.
          lines.on('error', (e) =>
            aborted ? resolve() : reject(new KubeError(0, `watch ${path}: ${e.message}`)),
          );
          lines.on('close', () => resolve());
        });
        r.end();
      });
    })();
    return {
      done,
      abort: () => {
        aborted = true;
        req?.destroy();
      },
    };
  }
}
