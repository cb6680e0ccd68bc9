import { describe, expect, it } from '@jest/globals';
import { ownedCopy } from './protowire.js';

const bytes = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

describe('ownedCopy', () => {
  it('joins the parts, and the copy does not change when the parts do', () => {
    const a = bytes(3, 1);
    const b = bytes(2, 2);
    const out = ownedCopy([a, b]);
    expect([...out]).toEqual([1, 1, 1, 2, 2]);
    a.fill(9);
    expect([...out]).toEqual([1, 1, 1, 2, 2]);
  });

  it("carves small copies one after another from a slab of their own, not from Node's pool", () => {
    const x = ownedCopy([bytes(40, 1)]);
    const y = ownedCopy([bytes(60, 2)]);
    expect(y.buffer).toBe(x.buffer);
    expect(y.byteOffset).toBe(x.byteOffset + 40);
    // Node's pool (Buffer.from of a short string) is another ArrayBuffer.
    expect(Buffer.from('pooled').buffer).not.toBe(x.buffer);
    // Writing one slice leaves its neighbour alone.
    x.fill(7);
    expect(y.every((v) => v === 2)).toBe(true);
  });

  it('gives a large copy an ArrayBuffer of its own, and starts a new slab when one is full', () => {
    const big = ownedCopy([bytes(4096, 3)]);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(4096);
    const first = ownedCopy([bytes(1000, 4)]);
    let last = first;
    for (let i = 0; i < 40; i++) last = ownedCopy([bytes(1000, 5)]);
    expect(last.buffer).not.toBe(first.buffer);
    expect(last.every((v) => v === 5)).toBe(true);
    expect(first.every((v) => v === 4)).toBe(true);
  });
});
