/**
 * Keyboard movement in a suggestion list, DOM-free: the search box's
 * arrow keys move the highlight, wrapping round; -1 means none.
 */

/**
 * The highlighted row after an arrow key.
 * @param active the row highlighted now, -1 for none
 * @param delta +1 (ArrowDown) or -1 (ArrowUp)
 * @param length rows in the list
 */
export function moveActive(
  active: number,
  delta: 1 | -1,
  length: number,
): number {
  if (length === 0) return -1;
  if (active < 0) return delta === 1 ? 0 : length - 1;
  return (active + delta + length) % length;
}

/** The row Enter picks: the highlighted one, else the first; -1 for none. */
export function pickedRow(active: number, length: number): number {
  if (length === 0) return -1;
  return active >= 0 && active < length ? active : 0;
}
