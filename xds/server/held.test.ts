import { describe, expect, it } from '@jest/globals';
import { cluster } from '../test-support.js';
import { HeldResources } from './held.js';
import { TypeState } from './type-state.js';

describe('HeldResources', () => {
  it('becomes the snapshot Map when it holds exactly that, and copies it before it changes', () => {
    const a = cluster('a');
    const b = cluster('b');
    const snap: ReadonlyMap<string, typeof a> = new Map([
      ['a', a],
      ['b', b],
    ]);
    const held = new HeldResources();
    held.set('a', a);
    held.adoptIfEqual(snap); // b missing: not equal
    expect(held.sharedMap).toBeUndefined();
    held.set('b', b);
    held.adoptIfEqual(snap);
    expect(held.sharedMap).toBe(snap);
    held.delete('a');
    expect(held.sharedMap).toBeUndefined();
    expect([...snap.keys()]).toEqual(['a', 'b']); // the snapshot was not written
    expect([...held.heldNames()]).toEqual(['b']);
  });

  it('treats an initial version like a held resource of that version', () => {
    const a = cluster('a');
    const held = new HeldResources();
    held.setInitial('a', a.version);
    expect(held.version('a')).toBe(a.version);
    expect(held.resource('a')).toBeUndefined();
    held.adoptIfEqual(new Map([['a', a]]));
    expect(held.resource('a')).toBe(a);
  });
});

describe('TypeState', () => {
  it('keeps per-resource answer state only until the response is ACKed', () => {
    const st = new TypeState('t');
    st.recordResponse([cluster('a')], st.newResponse('0', Date.now()));
    st.settle('0', 'acked', undefined, true);
    // A response that does not carry every held name is followed name by name.
    const r1 = st.newResponse('1', Date.now());
    st.recordResponse([cluster('b'), cluster('c')], r1);
    expect(st.status('b')?.state).toBe('sent');
    expect(st.status('a')?.state).toBe('acked');
    expect(st.pendingCount).toBe(2);
    st.settle('1', 'acked', undefined, true);
    expect(st.status('b')?.state).toBe('acked');
    expect(st.pendingCount).toBe(0);
  });

  it('NACK marks that response only; a SotW answer ACKs older unanswered ones', () => {
    const st = new TypeState('t');
    st.recordResponse([cluster('a')], st.newResponse('1', Date.now()));
    st.recordResponse([cluster('b')], st.newResponse('2', Date.now()));
    st.settle('2', 'nacked', 'bad', true);
    expect(st.status('a')?.state).toBe('acked');
    expect(st.status('b')).toMatchObject({ state: 'nacked', error: 'bad' });
    // Resent and ACKed: no longer NACKed.
    st.recordResponse([cluster('b', '3s')], st.newResponse('3', Date.now()));
    st.settle('3', 'acked', undefined, true);
    expect(st.status('b')?.state).toBe('acked');
  });

  it('delta answers settle only their own response', () => {
    const st = new TypeState('t');
    st.recordResponse([cluster('a')], st.newResponse('1', Date.now()));
    st.recordResponse([cluster('b')], st.newResponse('2', Date.now()));
    st.settle('2', 'acked', undefined, false);
    expect(st.status('a')?.state).toBe('sent');
    expect(st.status('b')?.state).toBe('acked');
  });

  it('records a response carrying every held resource once, not per resource, with the same answers', () => {
    const st = new TypeState('t');
    const whole = st.newResponse('1', Date.now());
    st.recordResponse([cluster('a'), cluster('b'), cluster('c')], whole);
    expect(st.pendingCount).toBe(0);
    expect(whole.names).toEqual([]);
    expect(['a', 'b', 'c'].map((n) => st.status(n)?.state)).toEqual(['sent', 'sent', 'sent']);
    // A later response for one name is that name's own (delta: answered alone).
    st.recordResponse([cluster('b', '2s')], st.newResponse('2', Date.now()));
    st.settle('2', 'acked', undefined, false);
    expect(['a', 'b', 'c'].map((n) => st.status(n)?.state)).toEqual(['sent', 'acked', 'sent']);
    // NACKed: every name it still covers is NACKed, the one sent since is not.
    st.settle('1', 'nacked', 'bad', false);
    expect(st.status('a')).toMatchObject({ state: 'nacked', error: 'bad' });
    expect(st.status('b')?.state).toBe('acked');
    // An initial version reported since is the client's own.
    st.recordInitial('c', 'v0');
    expect(st.status('c')?.state).toBe('initial');
    // A new whole response replaces everything; its ACK settles every name at once.
    st.recordResponse(
      [cluster('a', '3s'), cluster('b', '3s'), cluster('c', '3s')],
      st.newResponse('3', Date.now()),
    );
    expect(['a', 'b', 'c'].map((n) => st.status(n)?.state)).toEqual(['sent', 'sent', 'sent']);
    st.settle('3', 'acked', undefined, true);
    expect(['a', 'b', 'c'].map((n) => st.status(n)?.state)).toEqual(['acked', 'acked', 'acked']);
    expect(st.pendingCount).toBe(0);
  });

  it('keeps the names to resend, the names reported missing and the unanswered delta responses', () => {
    const st = new TypeState('t');
    expect(st.force.size).toBe(0);
    for (const n of ['a', 'b', 'c']) st.forceAdd(n);
    // Deleting while iterating visits every name once, as a Set does.
    const seen: string[] = [];
    for (const n of st.force) {
      seen.push(n);
      if (n !== 'b') st.forceDelete(n);
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    expect([...st.force]).toEqual(['b']);
    st.forceDelete('b');
    expect(st.force.size).toBe(0);
    st.forceAdd('d');
    st.forceClear();
    expect(st.force.has('d')).toBe(false);

    st.reportMissing('x');
    expect(st.reportedMissing.has('x')).toBe(true);
    st.unreportMissing('x');
    expect(st.reportedMissing.size).toBe(0);

    for (let i = 0; i < 5; i++) st.awaitAnswer(`n${i}`, `v${i}`, 3);
    // Bounded: the oldest two were dropped.
    expect(st.takeAnswered('n0')).toBeUndefined();
    expect(st.takeAnswered('n1')).toBeUndefined();
    expect(st.takeAnswered('n3')).toBe('v3');
    expect(st.takeAnswered('n3')).toBeUndefined();
    expect(st.takeAnswered('n2')).toBe('v2');
    expect(st.takeAnswered('n4')).toBe('v4');
    expect(st.takeAnswered('unknown')).toBeUndefined();
    // Everything answered, nothing to resend or report: the part kept for all that is gone.
    expect(st.hasUnsettled).toBe(false);
  });

  it('keeps the state of unanswered responses only while some response is unanswered or NACKed', () => {
    const st = new TypeState('t');
    expect(st.hasUnsettled).toBe(false);
    st.recordResponse([cluster('a'), cluster('b')], st.newResponse('1', Date.now()));
    st.recordResponse([cluster('b', '2s')], st.newResponse('2', Date.now()));
    expect(st.hasUnsettled).toBe(true);
    st.settle('1', 'acked', undefined, false);
    expect(st.hasUnsettled).toBe(true);
    st.settle('2', 'nacked', 'bad', false);
    // NACKed: still followed, so that CSDS reports it.
    expect(st.hasUnsettled).toBe(true);
    expect(st.status('b')).toMatchObject({ state: 'nacked', error: 'bad' });
    st.recordResponse([cluster('b', '3s')], st.newResponse('3', Date.now()));
    st.settle('3', 'acked', undefined, true);
    expect(['a', 'b'].map((n) => st.status(n)?.state)).toEqual(['acked', 'acked']);
    expect(st.hasUnsettled).toBe(false);
    // The flags are independent of one another.
    expect([st.wildcard, st.everNamed, st.awaitingFirst]).toEqual([false, false, true]);
    st.wildcard = true;
    st.awaitingFirst = false;
    expect([st.wildcard, st.everNamed, st.awaitingFirst]).toEqual([true, false, false]);
    st.everNamed = true;
    st.wildcard = false;
    expect([st.wildcard, st.everNamed, st.awaitingFirst]).toEqual([false, true, false]);
  });
});
