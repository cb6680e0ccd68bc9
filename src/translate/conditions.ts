// Collects conditions per input object while translate runs, then emits them in a stable order.

import type { InvalidObject, Kind, MeshObject } from '../store/objects.js';
import { refKey } from '../store/objects.js';
import { sortedValues } from './identity.js';
import type { Condition, ConditionType, ObjectStatus } from './model.js';

interface Entry {
  status: Omit<ObjectStatus, 'conditions'>;
  conditions: Map<ConditionType, Condition>;
  /** Unresolved-reference messages, joined into one ResolvedRefs condition at the end. */
  unresolved: { reason: string; message: string }[];
  /** What an accepted object does not do everywhere (e.g. a port a split cannot apply to). */
  notes: string[];
}

export class ConditionSet {
  private readonly entries = new Map<string, Entry>();

  /** Registers an object; every registered object ends with an Accepted and a ResolvedRefs condition. */
  track(o: MeshObject | InvalidObject): void {
    const key = refKey({ kind: o.kind, namespace: o.meta.namespace, name: o.meta.name });
    const status: { -readonly [K in keyof Omit<ObjectStatus, 'conditions'>]: ObjectStatus[K] } = {
      kind: o.kind,
      namespace: o.meta.namespace,
      name: o.meta.name,
      apiVersion: o.origin.apiVersion,
    };
    if (o.origin.file !== undefined) status.file = o.origin.file;
    if (o.origin.line !== undefined) status.line = o.origin.line;
    if (o.meta.generation !== undefined) status.generation = o.meta.generation;
    this.entries.set(key, { status, conditions: new Map(), unresolved: [], notes: [] });
  }

  /** Rejects the object: Accepted=False. The first rejection wins (it is the root cause). */
  reject(kind: Kind, namespace: string, name: string, reason: string, message: string): void {
    const e = this.entry(kind, namespace, name);
    if (!e.conditions.has('Accepted'))
      e.conditions.set('Accepted', { type: 'Accepted', status: 'False', reason, message });
  }

  isRejected(kind: Kind, namespace: string, name: string): boolean {
    return this.entry(kind, namespace, name).conditions.get('Accepted')?.status === 'False';
  }

  /** Adds a remark to the Accepted=True message of an object that applies only in part. */
  note(kind: Kind, namespace: string, name: string, message: string): void {
    this.entry(kind, namespace, name).notes.push(message);
  }

  /** Records a reference that did not resolve (ResolvedRefs=False); the object may still be accepted. */
  unresolved(kind: Kind, namespace: string, name: string, reason: string, message: string): void {
    this.entry(kind, namespace, name).unresolved.push({ reason, message });
  }

  /** The final statuses, sorted by kind, namespace, name. */
  finish(): ObjectStatus[] {
    const out: ObjectStatus[] = [];
    for (const e of sortedValues(this.entries)) {
      const accepted = e.conditions.get('Accepted') ?? {
        type: 'Accepted' as const,
        status: 'True' as const,
        reason: 'Accepted',
        message: e.notes.length === 0 ? 'Accepted' : `Accepted, except: ${e.notes.join('; ')}`,
      };
      const first = e.unresolved[0];
      const resolved: Condition =
        first === undefined
          ? {
              type: 'ResolvedRefs',
              status: 'True',
              reason: 'ResolvedRefs',
              message: 'All references resolved',
            }
          : {
              type: 'ResolvedRefs',
              status: 'False',
              reason: first.reason,
              message: e.unresolved.map((u) => u.message).join('; '),
            };
      out.push({ ...e.status, conditions: [accepted, resolved] });
    }
    return out;
  }

  private entry(kind: Kind, namespace: string, name: string): Entry {
    const e = this.entries.get(refKey({ kind, namespace, name }));
    if (e === undefined) throw new Error(`internal: condition for untracked ${kind} ${namespace}/${name}`);
    return e;
  }
}
