// The record as the page draws it: the channels in the meeting's order (floor first, then each language as the
// event lists them), and every line and trail note of every recording on the meeting's one clock (s since 1970).

/** The channel ids of the recordings: floor first, then the event's languages in its order, then any other. */
export function channelOrder(recordings, languages = []) {
  const present = new Set(recordings.map((recording) => recording.channel));
  const order = ['floor', ...languages].filter((id) => present.has(id));
  const rest = [...present].filter((id) => !order.includes(id)).sort();
  return [...order, ...rest];
}

/**
 * Every caption line and every trail note of `recordings` as items { kind: 'line'|'note', channel, at, end, text,
 * recording, offset } with `at`/`end` on the meeting's clock and `offset` from the start of the recording.
 * A note is a trail event worth reading beside the words: what the channel carried when it changed (`carrying`)
 * and the floor's changes of language (`alert`); a repeated `carrying` (every listener's join sends one) is left out.
 */
export function recordItems(recordings) {
  const items = [];
  for (const recording of recordings) {
    for (const line of recording.lines) {
      items.push({
        kind: 'line', channel: recording.channel, at: recording.start + line.start, end: recording.start + line.end,
        text: line.text, language: line.language || null, recording, offset: line.start,
      });
    }
    let carried = null;
    for (const event of recording.events) {
      const message = event.message || {};
      if (message.type === 'carrying') {
        const key = JSON.stringify([message.source, message.interpretation, message.floorLanguage]);
        if (key === carried) continue;
        carried = key;
      } else if (!(message.type === 'alert' && message.kind === 'floor-language')) {
        continue;
      }
      const at = recording.start + (event.at || 0);
      items.push({ kind: 'note', channel: recording.channel, at, end: at, message, recording, offset: event.at || 0 });
    }
  }
  // At the same moment a note comes first: it says who carries the line beside it.
  const rank = (item) => (item.kind === 'note' ? 0 : 1);
  return items.sort((a, b) => a.at - b.at || rank(a) - rank(b));
}
