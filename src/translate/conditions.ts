// Collects conditions per input object while translate runs, then emits them in a stable order.

import type { InvalidObject, Kind, MeshObject } from '../store/objects.js';
import { refKey } from '../store/objects.js';
import { positionsOf } from './identity.js';
import type { Condition, ConditionType, ObjectStatus } from './model.js';

interface Entry {
  conditions: Map<ConditionType, Condition>;
  /** Unresolved-reference messages, joined into one ResolvedRefs condition at the end. */
  unresolved: { reason: string; message: string }[];
  /** What an accepted object does not do everywhere (e.g. a port a split cannot apply to). */
  notes: string[];
}

/** What translate's stages report through: the ConditionSet itself, or a recorder that replays later. */
export interface ConditionSink {
  reject(kind: Kind, namespace: string, name: string, reason: string, message: string): void;
  unresolved(kind: Kind, namespace: string, name: string, reason: string, message: string): void;
  note(kind: Kind, namespace: string, name: string, message: string): void;
}

/**
 * Passes reports through to `target` and keeps them, so that a stage whose result is reused can report the
 * same conditions again without running.
 */
export class ConditionRecorder implements ConditionSink {
  readonly calls: ((sink: ConditionSink) => void)[] = [];
  constructor(private readonly target: ConditionSink) {}
  reject(kind: Kind, namespace: string, name: string, reason: string, message: string): void {
    this.calls.push((s) => s.reject(kind, namespace, name, reason, message));
    this.target.reject(kind, namespace, name, reason, message);
  }
  unresolved(kind: Kind, namespace: string, name: string, reason: string, message: string): void {
    this.calls.push((s) => s.unresolved(kind, namespace, name, reason, message));
    this.target.unresolved(kind, namespace, name, reason, message);
  }
  note(kind: Kind, namespace: string, name: string, message: string): void {
    this.calls.push((s) => s.note(kind, namespace, name, message));
    this.target.note(kind, namespace, name, message);
  }
}

const ACCEPTED: Condition = { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Accepted' };
const RESOLVED: Condition = {
  type: 'ResolvedRefs',
  status: 'True',
  reason: 'ResolvedRefs',
  message: 'All references resolved',
};

/**
 * Statuses of objects without any problem, by object: most objects have none, and an unchanged object keeps
 * its status object from one translation to the next (no rebuilding, and identity for change detection).
 */
const cleanStatuses = new WeakMap<MeshObject | InvalidObject, ObjectStatus>();
/** The conditions of an object with nothing to report: one list shared by all their statuses (never mutated). */
const CLEAN_CONDITIONS: readonly Condition[] = [ACCEPTED, RESOLVED];

/**
 * An object's status, its fields in reading order (YAML output follows insertion order). Built by assignment, not
 * as `{ ...head, conditions }`: Node 20's V8 gives every object made by a literal that starts with a spread and
 * goes on a hidden class of its own (about 250 bytes each), and there is a status per object in the Store.
 */
function statusOf(o: MeshObject | InvalidObject, conditions: readonly Condition[]): ObjectStatus {
  const s: { -readonly [K in keyof ObjectStatus]?: ObjectStatus[K] } = {
    kind: o.kind,
    namespace: o.meta.namespace,
    name: o.meta.name,
    apiVersion: o.origin.apiVersion,
  };
  if (o.origin.file !== undefined) s.file = o.origin.file;
  if (o.origin.line !== undefined) s.line = o.origin.line;
  if (o.meta.generation !== undefined) s.generation = o.meta.generation;
  s.conditions = conditions;
  return s as ObjectStatus;
}

/** Every object translate reports on, in report order, with its key (`Kind/namespace/name`). */
export interface TrackedObjects {
  readonly keys: ReadonlySet<string>;
  readonly sorted: readonly { readonly key: string; readonly object: MeshObject | InvalidObject }[];
  /**
   * Where each kind's objects sit in `sorted`: keys start with the kind and a slash, so a kind's objects are one
   * contiguous run, and a change to one kind's objects need only look at that run.
   */
  readonly ranges: ReadonlyMap<Kind, readonly [start: number, end: number]>;
}

/** Collects every object of a view (valid and invalid), sorted by key. */
export function trackedObjects(objects: Iterable<MeshObject | InvalidObject>): TrackedObjects {
  const list = [...objects].map((object) => ({
    key: `${object.kind}/${object.meta.namespace}/${object.meta.name}`,
    object,
  }));
  list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const ranges = new Map<Kind, [number, number]>();
  list.forEach(({ object }, i) => {
    const r = ranges.get(object.kind);
    if (r === undefined) ranges.set(object.kind, [i, i + 1]);
    else r[1] = i + 1;
  });
  return { keys: new Set(list.map((x) => x.key)), sorted: list, ranges };
}

/**
 * One translation's statuses, kept so that the next one (over the same keys) copies the statuses of objects that
 * are the same objects with nothing reported on them, instead of walking every object of the mesh again: after
 * a TrafficSplit weight change only that split's status is new.
 */
export interface FinishedStatuses {
  readonly tracked: TrackedObjects;
  readonly statuses: readonly ObjectStatus[];
  /** Keys something was reported about (their statuses were built from reports, not reused). */
  readonly reported: ReadonlySet<string>;
}

/** Each key's index in `sorted`, one index per key set (built when a later translation first needs it). */
function indexOf(tracked: TrackedObjects): ReadonlyMap<string, number> {
  return positionsOf(tracked.keys, () => tracked.sorted.map((t) => t.key));
}

/** The statuses with a False condition (Accepted or ResolvedRefs), per statuses list that `finish` made. */
const rejectedLists = new WeakMap<readonly ObjectStatus[], readonly ObjectStatus[]>();

/** The statuses that have a False condition, in the same order. */
export function rejectedOf(statuses: readonly ObjectStatus[]): readonly ObjectStatus[] {
  return (
    rejectedLists.get(statuses) ?? statuses.filter((s) => s.conditions.some((c) => c.status === 'False'))
  );
}

export class ConditionSet implements ConditionSink {
  constructor(private readonly tracked: TrackedObjects) {}

  /** Only objects something was reported about. */
  private readonly entries = new Map<string, Entry>();

  /** Rejects the object: Accepted=False. The first rejection wins (it is the root cause). */
  reject(kind: Kind, namespace: string, name: string, reason: string, message: string): void {
    const e = this.entry(kind, namespace, name);
    if (!e.conditions.has('Accepted'))
      e.conditions.set('Accepted', { type: 'Accepted', status: 'False', reason, message });
  }

  isRejected(kind: Kind, namespace: string, name: string): boolean {
    return (
      this.entries.get(refKey({ kind, namespace, name }))?.conditions.get('Accepted')?.status === 'False'
    );
  }

  /** Adds a remark to the Accepted=True message of an object that applies only in part. */
  note(kind: Kind, namespace: string, name: string, message: string): void {
    this.entry(kind, namespace, name).notes.push(message);
  }

  /** Records a reference that did not resolve (ResolvedRefs=False); the object may still be accepted. */
  unresolved(kind: Kind, namespace: string, name: string, reason: string, message: string): void {
    this.entry(kind, namespace, name).unresolved.push({ reason, message });
  }

  /**
   * The final statuses, sorted by kind, namespace, name. Given the previous translation's (over the same keys),
   * only objects that were replaced, or that something was reported about now or then, get a status built.
   */
  finish(prev?: FinishedStatuses): FinishedStatuses {
    const { sorted } = this.tracked;
    const reported = new Set(this.entries.keys());
    let out: ObjectStatus[];
    if (prev === undefined || prev.tracked.keys !== this.tracked.keys) {
      out = sorted.map((_t, i) => this.statusAt(i));
    } else {
      out = prev.statuses.slice();
      const before = prev.tracked.sorted;
      for (let i = 0; i < sorted.length; i++) if (sorted[i] !== before[i]) out[i] = this.statusAt(i);
      const at = indexOf(this.tracked);
      for (const keys of [reported, prev.reported])
        for (const key of keys) {
          const i = at.get(key);
          if (i !== undefined) out[i] = this.statusAt(i);
        }
    }
    const rejected: number[] = [];
    for (const key of reported) {
      // A clean status is all True: only a reported object can have a False condition.
      const e = this.entries.get(key);
      if (e === undefined) continue;
      if (e.conditions.get('Accepted')?.status !== 'False' && e.unresolved.length === 0) continue;
      const i = indexOf(this.tracked).get(key);
      if (i !== undefined) rejected.push(i);
    }
    rejectedLists.set(
      out,
      rejected.sort((a, b) => a - b).map((i) => out[i] as ObjectStatus),
    );
    return { tracked: this.tracked, statuses: out, reported };
  }

  /** The status of the `i`-th tracked object. */
  private statusAt(i: number): ObjectStatus {
    const t = this.tracked.sorted[i];
    if (t === undefined) throw new Error(`internal: no tracked object at ${i}`);
    const { key, object: o } = t;
    const e = this.entries.get(key);
    if (e === undefined) {
      let clean = cleanStatuses.get(o);
      if (clean === undefined) {
        clean = statusOf(o, CLEAN_CONDITIONS);
        cleanStatuses.set(o, clean);
      }
      return clean;
    }
    const accepted = e.conditions.get('Accepted') ?? {
      type: ACCEPTED.type,
      status: ACCEPTED.status,
      reason: ACCEPTED.reason,
      message: e.notes.length === 0 ? 'Accepted' : `Accepted, except: ${e.notes.join('; ')}`,
    };
    const first = e.unresolved[0];
    const resolved: Condition =
      first === undefined
        ? RESOLVED
        : {
            type: 'ResolvedRefs',
            status: 'False',
            reason: first.reason,
            message: e.unresolved.map((u) => u.message).join('; '),
          };
    return statusOf(o, [accepted, resolved]);
  }

  private entry(kind: Kind, namespace: string, name: string): Entry {
    const key = refKey({ kind, namespace, name });
    let e = this.entries.get(key);
    if (e === undefined) {
      if (!this.tracked.keys.has(key))
        throw new Error(`internal: condition for untracked ${kind} ${namespace}/${name}`);
      e = { conditions: new Map(), unresolved: [], notes: [] };
      this.entries.set(key, e);
    }
    return e;
  }
}
