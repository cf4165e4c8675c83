/**
 * Which rows of a fixed-row-height list a scroll box shows: [first, last) with `overscan` extra rows
 * on each side, so a long table keeps a few dozen rows in the DOM however many it has.
 */
export function visibleRows(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  total: number,
  overscan: number,
): { first: number; last: number } {
  if (total <= 0) return { first: 0, last: 0 };
  const top = Math.max(0, Math.floor(scrollTop / rowHeight));
  const shown = Math.ceil(viewport / rowHeight) + 1;
  const first = Math.max(0, Math.min(total - 1, top - overscan));
  const last = Math.min(total, top + shown + overscan);
  return { first, last: Math.max(first + 1, last) };
}
