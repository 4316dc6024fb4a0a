import { describe, expect, it } from 'vitest';

import { moveActive, pickedRow } from './listbox.ts';

describe('suggestion list keys', () => {
  it('starts at the top going down and at the bottom going up', () => {
    expect(moveActive(-1, 1, 3)).toBe(0);
    expect(moveActive(-1, -1, 3)).toBe(2);
  });

  it('wraps round at both ends', () => {
    expect(moveActive(2, 1, 3)).toBe(0);
    expect(moveActive(0, -1, 3)).toBe(2);
    expect(moveActive(1, 1, 3)).toBe(2);
  });

  it('has nothing to highlight or pick in an empty list', () => {
    expect(moveActive(-1, 1, 0)).toBe(-1);
    expect(pickedRow(-1, 0)).toBe(-1);
  });

  it('picks the highlighted row, else the first', () => {
    expect(pickedRow(2, 3)).toBe(2);
    expect(pickedRow(-1, 3)).toBe(0);
    expect(pickedRow(5, 3)).toBe(0);
  });
});
