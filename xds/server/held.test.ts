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
    expect([...held.names()]).toEqual(['b']);
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
    const r1 = st.newResponse('1', Date.now());
    st.recordSent(cluster('a'), r1);
    st.recordSent(cluster('b'), r1);
    expect(st.status('a')?.state).toBe('sent');
    st.settle('1', 'acked', undefined, true);
    expect(st.status('a')?.state).toBe('acked');
    expect(st.pending.size).toBe(0);
  });

  it('NACK marks that response only; a SotW answer ACKs older unanswered ones', () => {
    const st = new TypeState('t');
    st.recordSent(cluster('a'), st.newResponse('1', Date.now()));
    st.recordSent(cluster('b'), st.newResponse('2', Date.now()));
    st.settle('2', 'nacked', 'bad', true);
    expect(st.status('a')?.state).toBe('acked');
    expect(st.status('b')).toMatchObject({ state: 'nacked', error: 'bad' });
    // Resent and ACKed: no longer NACKed.
    st.recordSent(cluster('b', '3s'), st.newResponse('3', Date.now()));
    st.settle('3', 'acked', undefined, true);
    expect(st.status('b')?.state).toBe('acked');
  });

  it('delta answers settle only their own response', () => {
    const st = new TypeState('t');
    st.recordSent(cluster('a'), st.newResponse('1', Date.now()));
    st.recordSent(cluster('b'), st.newResponse('2', Date.now()));
    st.settle('2', 'acked', undefined, false);
    expect(st.status('a')?.state).toBe('sent');
    expect(st.status('b')?.state).toBe('acked');
  });
});
