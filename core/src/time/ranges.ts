/** Half-open ranges [start, end) over numbers (instants or minutes), kept sorted and disjoint. */
export interface Range {
  start: number;
  end: number;
}

export function normalize(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const merged: Range[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end) {
      last.end = Math.max(last.end, range.end);
    } else {
      merged.push({ start: range.start, end: range.end });
    }
  }
  return merged;
}

export function intersect(a: readonly Range[], b: readonly Range[]): Range[] {
  const left = normalize(a);
  const right = normalize(b);
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const l = left[i]!;
    const r = right[j]!;
    const start = Math.max(l.start, r.start);
    const end = Math.min(l.end, r.end);
    if (end > start) out.push({ start, end });
    if (l.end < r.end) i++;
    else j++;
  }
  return out;
}

export function subtract(from: readonly Range[], remove: readonly Range[]): Range[] {
  let remaining = normalize(from);
  for (const cut of normalize(remove)) {
    remaining = remaining.flatMap((r) => {
      if (cut.end <= r.start || cut.start >= r.end) return [r];
      const pieces: Range[] = [];
      if (cut.start > r.start) pieces.push({ start: r.start, end: cut.start });
      if (cut.end < r.end) pieces.push({ start: cut.end, end: r.end });
      return pieces;
    });
  }
  return remaining;
}

/** Every aligned step `[t, t + step)` that lies wholly inside one of the ranges. */
export function alignedSteps(ranges: readonly Range[], step: number): number[] {
  const out: number[] = [];
  for (const range of normalize(ranges)) {
    for (let t = Math.ceil(range.start / step) * step; t + step <= range.end; t += step) out.push(t);
  }
  return out;
}
