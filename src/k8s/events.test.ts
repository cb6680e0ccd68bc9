import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { ObjectStatus } from '../translate/model.js';
import {
  EventRecorder,
  ProblemTracker,
  REPORTING_CONTROLLER,
  microTime,
  objectKey,
  problemsOf,
} from './events.js';
import { KubeError } from './client.js';
import { FakeKubeClient } from './fake-client.js';

function st(name: string, reason?: string): ObjectStatus {
  return {
    kind: 'TrafficSplit',
    namespace: 'shop',
    name,
    apiVersion: 'split.smi-spec.io/v1alpha4',
    conditions: [
      reason === undefined
        ? { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Accepted' }
        : { type: 'Accepted', status: 'False', reason, message: `bad: ${reason}` },
    ],
  };
}

function round(t: ProblemTracker, statuses: ObjectStatus[]): [string, number][] {
  return t
    .next(
      problemsOf(statuses, () => 'uid-1'),
      new Set(statuses.map(objectKey)),
    )
    .map((x) => [`${x.problem.status.name}:${x.problem.reason}`, x.count]);
}

describe('ProblemTracker', () => {
  it('reports a problem once while it lasts, and again (count 2) when it comes back', () => {
    const t = new ProblemTracker();
    expect(round(t, [st('a', 'InvalidSpec'), st('b')])).toEqual([['a:InvalidSpec', 1]]);
    expect(round(t, [st('a', 'InvalidSpec'), st('b')])).toEqual([]);
    expect(round(t, [st('a'), st('b')])).toEqual([]);
    expect(round(t, [st('a', 'InvalidSpec'), st('b', 'BackendNotFound')])).toEqual([
      ['a:InvalidSpec', 2],
      ['b:BackendNotFound', 1],
    ]);
  });

  it('forgets problems of objects that are gone', () => {
    const t = new ProblemTracker();
    round(t, [st('a', 'InvalidSpec')]);
    round(t, []);
    expect(round(t, [st('a', 'InvalidSpec')])).toEqual([['a:InvalidSpec', 1]]);
  });
});

describe('EventRecorder', () => {
  it('creates a Warning Event, then bumps its series; nothing while not leader; AlreadyExists is fine', async () => {
    let exists = false;
    const client = new FakeKubeClient((r) => {
      if (r.method === 'POST' && exists) throw new KubeError(409, 'exists', 'AlreadyExists');
      return {};
    });
    const rec = new EventRecorder(client, pino({ level: 'silent' }), 'ctl-1', () => new Date(0));
    const bad = [st('a', 'InvalidSpec')];
    const objects = new Set(bad.map(objectKey));
    rec.update(
      problemsOf(bad, () => 'uid-1'),
      objects,
    );
    await rec.flush();
    expect(client.requests).toHaveLength(0);

    rec.setActive(true);
    rec.update(
      problemsOf(bad, () => 'uid-1'),
      objects,
    );
    rec.update(
      problemsOf(bad, () => 'uid-1'),
      objects,
    );
    await rec.flush();
    expect(client.requests).toHaveLength(1);
    const post = client.requests[0];
    expect(post?.method).toBe('POST');
    expect(post?.path).toBe('/apis/events.k8s.io/v1/namespaces/shop/events');
    expect(post?.body).toMatchObject({
      type: 'Warning',
      reason: 'InvalidSpec',
      note: 'bad: InvalidSpec',
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: 'ctl-1',
      eventTime: microTime(new Date(0)),
      regarding: { kind: 'TrafficSplit', namespace: 'shop', name: 'a', uid: 'uid-1' },
    });
    expect(microTime(new Date(0))).toBe('1970-01-01T00:00:00.000000Z');

    rec.update([], objects);
    rec.update(
      problemsOf(bad, () => 'uid-1'),
      objects,
    );
    await rec.flush();
    expect(client.requests[1]?.method).toBe('PATCH');
    expect(client.requests[1]?.body).toMatchObject({ series: { count: 2 } });
    const name = (post?.body as { metadata: { name: string } }).metadata.name;
    expect(client.requests[1]?.path.endsWith(`/events/${name}`)).toBe(true);

    // A new leader (or a restart) finds the Event already there: no error, no duplicate.
    exists = true;
    const rec2 = new EventRecorder(client, pino({ level: 'silent' }), 'ctl-2');
    rec2.setActive(true);
    rec2.update(
      problemsOf(bad, () => 'uid-1'),
      objects,
    );
    await rec2.flush();
    expect(rec2.recorded).toBe(0);
  });
});
