import { describe, expect, it } from '@jest/globals';
import type { ObjectStatus } from '../translate/model.js';
import { conditionsMatch, desiredConditions } from './conditions.js';

const T0 = new Date('2025-01-01T00:00:00.123Z');
const T1 = new Date('2025-01-02T00:00:00Z');

function status(accepted: 'True' | 'False', generation = 3): ObjectStatus {
  return {
    kind: 'TrafficSplit',
    namespace: 'shop',
    name: 'web',
    apiVersion: 'split.smi-spec.io/v1alpha4',
    generation,
    conditions: [
      accepted === 'True'
        ? { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Accepted' }
        : { type: 'Accepted', status: 'False', reason: 'InvalidSpec', message: 'spec.backends: required' },
      { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'All references resolved' },
    ],
  };
}

describe('status conditions', () => {
  it('are written when the object has none, with observedGeneration and a transition time', () => {
    const d = desiredConditions(status('True'), undefined, T0);
    expect(d[0]).toEqual({
      type: 'Accepted',
      status: 'True',
      reason: 'Accepted',
      message: 'Accepted',
      observedGeneration: 3,
      lastTransitionTime: '2025-01-01T00:00:00Z',
    });
    expect(conditionsMatch(d, undefined)).toBe(false);
  });

  it('match what the server holds when nothing changed, later too (transition time kept)', () => {
    const onServer = desiredConditions(status('True'), undefined, T0);
    const again = desiredConditions(status('True'), JSON.parse(JSON.stringify(onServer)), T1);
    expect(again).toEqual(onServer);
    expect(conditionsMatch(again, onServer)).toBe(true);
  });

  it('change, with a new transition time, when the verdict flips', () => {
    const onServer = desiredConditions(status('True'), undefined, T0);
    const flipped = desiredConditions(status('False'), onServer, T1);
    expect(flipped[0]?.status).toBe('False');
    expect(flipped[0]?.reason).toBe('InvalidSpec');
    expect(flipped[0]?.lastTransitionTime).toBe('2025-01-02T00:00:00Z');
    // ResolvedRefs stayed True: its transition time is kept.
    expect(flipped[1]?.lastTransitionTime).toBe('2025-01-01T00:00:00Z');
    expect(conditionsMatch(flipped, onServer)).toBe(false);
  });

  it('change when only the generation moved (a spec edit that compiles the same)', () => {
    const onServer = desiredConditions(status('True', 3), undefined, T0);
    const next = desiredConditions(status('True', 4), onServer, T1);
    expect(next[0]?.lastTransitionTime).toBe(onServer[0]?.lastTransitionTime);
    expect(conditionsMatch(next, onServer)).toBe(false);
  });

  it('do not match garbage or extra conditions on the server', () => {
    const d = desiredConditions(status('True'), undefined, T0);
    expect(conditionsMatch(d, 'nonsense')).toBe(false);
    expect(conditionsMatch(d, [...d, { type: 'Other', status: 'True' }])).toBe(false);
  });
});
