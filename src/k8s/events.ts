// Warning Events (events.k8s.io/v1) for rejected objects, so `kubectl describe` and `kubectl events` show why
// an object has no effect.
//
// One Event per object and problem (condition type, reason, message). A problem still present at the next
// compilation is not news and records nothing; a problem that went away and came back bumps the Event's series
// instead of creating another. Event names are derived from the object and the problem, so a restarted or newly
// elected controller finds its predecessor's Event (AlreadyExists) instead of duplicating it.

import { createHash } from 'node:crypto';
import type pino from 'pino';
import type { ObjectStatus } from '../translate/model.js';
import type { KubeClient } from './client.js';
import { KubeError } from './client.js';

export const REPORTING_CONTROLLER = 'smi-mesh.io/controller';

/** One problem of one object, with what the Event must name. */
export interface Problem {
  readonly key: string;
  /** `kind/namespace/name` of the object concerned. */
  readonly object: string;
  readonly status: ObjectStatus;
  readonly uid: string | undefined;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

/** A timestamp with microseconds, as metav1.MicroTime serialises (`2006-01-02T15:04:05.000000Z`). */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function objectKey(s: ObjectStatus): string {
  return `${s.kind}/${s.namespace}/${s.name}`;
}

/** The problems in a compilation's statuses: every False condition of every object. */
export function problemsOf(
  statuses: readonly ObjectStatus[],
  uidOf: (s: ObjectStatus) => string | undefined,
): Problem[] {
  const out: Problem[] = [];
  for (const s of statuses) {
    for (const c of s.conditions) {
      if (c.status !== 'False') continue;
      const uid = uidOf(s);
      out.push({
        key: JSON.stringify([s.kind, s.namespace, s.name, uid ?? '', c.type, c.reason, c.message]),
        object: objectKey(s),
        status: s,
        uid,
        type: c.type,
        reason: c.reason,
        message: c.message,
      });
    }
  }
  return out;
}

/** Decides which problems are news: pure bookkeeping, kept apart from the API calls. */
export class ProblemTracker {
  /** Problems present in the last compilation. */
  private active = new Set<string>();
  /** How often each problem has been recorded, with its object. */
  private readonly counts = new Map<string, { object: string; count: number }>();

  /**
   * The problems of a new compilation that need recording, with their occurrence count (1: create the Event,
   * more: bump its series). Problems of objects no longer among `objects` are forgotten, which bounds memory.
   */
  next(problems: readonly Problem[], objects: ReadonlySet<string>): { problem: Problem; count: number }[] {
    const now = new Set(problems.map((p) => p.key));
    const out: { problem: Problem; count: number }[] = [];
    for (const p of problems) {
      if (this.active.has(p.key)) continue;
      const count = (this.counts.get(p.key)?.count ?? 0) + 1;
      this.counts.set(p.key, { object: p.object, count });
      out.push({ problem: p, count });
    }
    for (const [key, v] of this.counts) if (!objects.has(v.object)) this.counts.delete(key);
    this.active = now;
    return out;
  }

  /** Forgets what is active, so a new leader records current problems it has not itself seen recorded. */
  reset(): void {
    this.active = new Set();
  }
}

function eventName(p: Problem): string {
  const hash = createHash('sha256').update(p.key).digest('hex').slice(0, 16);
  const base = p.status.name.slice(0, 200);
  return `${base}.${hash}`;
}

export class EventRecorder {
  private readonly tracker = new ProblemTracker();
  private active = false;
  private chain: Promise<void> = Promise.resolve();
  /** Events created or bumped (for tests). */
  recorded = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly log: pino.Logger,
    private readonly instance: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  setActive(active: boolean): void {
    this.active = active;
    if (!active) this.tracker.reset();
  }

  /** Records the news among `problems` (leader only); returns at once, the API calls run one after another. */
  update(problems: readonly Problem[], objects: ReadonlySet<string>): void {
    if (!this.active) return;
    for (const { problem, count } of this.tracker.next(problems, objects)) {
      this.chain = this.chain.then(() => this.record(problem, count)).catch(() => undefined);
    }
  }

  /** Waits for the queued API calls (tests, shutdown). */
  async flush(): Promise<void> {
    await this.chain;
  }

  private async record(p: Problem, count: number): Promise<void> {
    const namespace = p.status.namespace === '' ? 'default' : p.status.namespace;
    const name = eventName(p);
    const path = `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`;
    const at = microTime(this.now());
    try {
      if (count === 1) {
        await this.client.request('POST', path, {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          metadata: { name, namespace },
          eventTime: at,
          type: 'Warning',
          reason: p.reason,
          action: p.type === 'Accepted' ? 'Accept' : 'ResolveRefs',
          note: p.message.length > 1000 ? `${p.message.slice(0, 1000)}…` : p.message,
          reportingController: REPORTING_CONTROLLER,
          reportingInstance: this.instance.slice(0, 128),
          regarding: {
            apiVersion: p.status.apiVersion,
            kind: p.status.kind,
            namespace: p.status.namespace,
            name: p.status.name,
            ...(p.uid === undefined ? {} : { uid: p.uid }),
          },
        });
      } else {
        await this.client.request(
          'PATCH',
          `${path}/${encodeURIComponent(name)}`,
          { series: { count, lastObservedTime: at } },
          'application/merge-patch+json',
        );
      }
      this.recorded++;
    } catch (e) {
      // Someone (a predecessor) already recorded this very problem: that Event stands.
      if (e instanceof KubeError && e.status === 409) return;
      this.log.warn(
        { event: `${namespace}/${name}`, err: e instanceof Error ? e.message : String(e) },
        'event not recorded',
      );
    }
  }
}
