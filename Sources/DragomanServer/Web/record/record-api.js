// The record's data from the JSON API (docs/protocol.md, "Recordings"), with the organizer token: the event, its
// recordings, each one's transcript (lines and trail), and each one's audio as a Blob URL (an <audio src> cannot
// send the Authorization header).

import { call, eventPath } from '../organizer/organizer-api.js';

/**
 * The event and its recordings, each with its transcript: { ok, status, message, event, recordings } where every
 * recording is the list's entry plus `start` (s since 1970, from the log's own clock), `lines` and `events`.
 */
export async function fetchRecord(token, code) {
  const [event, list] = await Promise.all([call(token, 'GET', eventPath(code)), call(token, 'GET', `${eventPath(code)}/recordings`)]);
  const failed = [event, list].find((answer) => !answer.ok);
  if (failed) return { ok: false, status: failed.status, message: failed.message };
  // The channels as their listeners heard them; the booths' microphone tracks stay on the desk's list.
  const channelTracks = (list.body.recordings || []).filter((r) => (r.track || 'channel') === 'channel');
  const recordings = await Promise.all(channelTracks.map(async (recording) => {
    const base = recording.file.replace(/\.opus$/, '');
    const transcript = await call(token, 'GET', `${eventPath(code)}/recordings/${encodeURIComponent(base)}.json`);
    const document = transcript.ok && transcript.body ? transcript.body : { lines: [], events: [] };
    // The log's start is µs on the server's clock; the file name's start is only to the second.
    const start = document.recordingStart ? document.recordingStart / 1e6 : Date.parse(recording.startedAt) / 1000;
    return { ...recording, start, lines: document.lines || [], events: document.events || [] };
  }));
  return { ok: true, status: 200, message: '', event: event.body, recordings };
}

/** The recording's audio as a Blob URL, or null when it cannot be had. */
export async function fetchAudio(token, code, file) {
  try {
    const response = await fetch(`${eventPath(code)}/recordings/${encodeURIComponent(file)}`, {
      headers: { Authorization: `Bearer ${token}` }, cache: 'no-store',
    });
    if (!response.ok) return null;
    return URL.createObjectURL(await response.blob());
  } catch {
    return null;
  }
}
