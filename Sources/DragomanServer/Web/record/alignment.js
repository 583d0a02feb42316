// Rows of the side-by-side record: lines of the different channels said at about the same moment share a row, so
// the floor's sentence and its renderings read across. A row opens at its first item; what starts within
// ALIGN_SECONDS of that joins it (an interpreter lags the floor by a second or two), later items open the next row.
// A row holds at most one line per channel, so that every line keeps a time of its own beside it; the trail's notes
// get rows of their own, so that a note's length never pushes one channel's line below its neighbours'.

export const ALIGN_SECONDS = 2;

/** Items sorted by `at` → rows [{ at, kind: 'line'|'note', cells: Map(channel → items) }]. */
export function alignRows(items, windowSeconds = ALIGN_SECONDS) {
  const rows = [];
  let row = null;
  for (const item of items) {
    const taken = item.kind === 'line' && row && row.cells.has(item.channel);
    if (!row || row.kind !== item.kind || taken || item.at - row.at > windowSeconds) {
      row = { at: item.at, kind: item.kind, cells: new Map() };
      rows.push(row);
    }
    if (!row.cells.has(item.channel)) row.cells.set(item.channel, []);
    row.cells.get(item.channel).push(item);
  }
  return rows;
}

/** The line of `lines` (items of one channel) whose time range holds `at`, or null. */
export function lineAt(lines, at) {
  return lines.find((line) => line.at <= at && at <= line.end) || null;
}
