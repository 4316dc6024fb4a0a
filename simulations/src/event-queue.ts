/**
 * The pending events of a simulation: a binary min-heap ordered by time,
 * ties broken by the order of scheduling (a sequence number), so two
 * events at the same second always come out in the same order.
 */
export class EventQueue<T> {
  private times: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  /** Schedules `item` at `atSeconds`. */
  push(atSeconds: number, item: T): void {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const seq = this.seq++;
    let i = items.length;
    times.push(atSeconds);
    seqs.push(seq);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < atSeconds || (pt === atSeconds && seqs[parent]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    times[i] = atSeconds;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Time of the next event, or undefined when none is pending. */
  peekTime(): number | undefined {
    return this.times[0];
  }

  /** Removes and returns the next event, or undefined when none. */
  pop(): { atSeconds: number; item: T } | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const times = this.times;
    const seqs = this.seqs;
    const top = { atSeconds: times[0]!, item: items[0]! };
    const lastTime = times.pop()!;
    const lastSeq = seqs.pop()!;
    const lastItem = items.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        let child = left;
        if (
          right < n &&
          (times[right]! < times[left]! ||
            (times[right] === times[left] && seqs[right]! < seqs[left]!))
        ) {
          child = right;
        }
        const ct = times[child]!;
        if (lastTime < ct || (lastTime === ct && lastSeq < seqs[child]!)) break;
        times[i] = ct;
        seqs[i] = seqs[child]!;
        items[i] = items[child]!;
        i = child;
      }
      times[i] = lastTime;
      seqs[i] = lastSeq;
      items[i] = lastItem;
    }
    return top;
  }
}
