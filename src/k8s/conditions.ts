// Status conditions as written on SMI objects, and the pure decision whether what the server holds must change.
//
// A condition keeps its lastTransitionTime while its status stays the same (Kubernetes conventions), so an
// unchanged verdict compares equal and is never written again.

import { z } from 'zod';
import type { ObjectStatus } from '../translate/model.js';

export interface K8sCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
  readonly lastTransitionTime: string;
}

/** What the server holds; anything else found there (other writers' junk) counts as "different". */
const serverConditions = z.array(
  z.looseObject({
    type: z.string(),
    status: z.string(),
    reason: z.string().optional(),
    message: z.string().optional(),
    observedGeneration: z.number().optional(),
    lastTransitionTime: z.string().optional(),
  }),
);

/** Server-side message limit for conditions (metav1.Condition allows 32768); long issue lists are cut. */
const MAX_MESSAGE = 32_000;

/** RFC 3339 with seconds precision, as metav1.Time serialises. */
export function rfc3339(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/**
 * The conditions `status` asks for, given what the server holds (`current`, unvalidated): lastTransitionTime
 * comes from the current condition of the same type when its status is unchanged.
 */
export function desiredConditions(status: ObjectStatus, current: unknown, now: Date): K8sCondition[] {
  const parsed = serverConditions.safeParse(current);
  const existing = parsed.success ? parsed.data : [];
  return status.conditions.map((c) => {
    const prev = existing.find((e) => e.type === c.type);
    const keep = prev !== undefined && prev.status === c.status && prev.lastTransitionTime !== undefined;
    return {
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message.length > MAX_MESSAGE ? `${c.message.slice(0, MAX_MESSAGE)}…` : c.message,
      ...(status.generation === undefined ? {} : { observedGeneration: status.generation }),
      lastTransitionTime:
        keep && prev.lastTransitionTime !== undefined ? prev.lastTransitionTime : rfc3339(now),
    };
  });
}

/** Whether the server's conditions already say exactly `desired` (same types, in any order, same fields). */
export function conditionsMatch(desired: readonly K8sCondition[], current: unknown): boolean {
  const parsed = serverConditions.safeParse(current);
  if (!parsed.success || parsed.data.length !== desired.length) return false;
  return desired.every((d) => {
    const c = parsed.data.find((e) => e.type === d.type);
    return (
      c !== undefined &&
      c.status === d.status &&
      c.reason === d.reason &&
      c.message === d.message &&
      c.observedGeneration === d.observedGeneration &&
      c.lastTransitionTime === d.lastTransitionTime
    );
  });
}
