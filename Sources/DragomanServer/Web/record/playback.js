// Playback of the recordings: one <audio> per recording. The one last started leads: the others pause (two
// channels at once would be noise), and its time on the meeting's clock is what the page marks in every column.

export class Playback {
  /** onTime(at, recording): called with the leading audio's moment (s since 1970) as it plays or is moved. */
  constructor(onTime) {
    this.onTime = onTime;
    this.audios = new Map(); // file → <audio>
    this.leading = null; // the recording whose audio leads
  }

  /** The <audio> of `recording`, made once, wired to lead when it plays or seeks. */
  audioFor(recording) {
    let audio = this.audios.get(recording.file);
    if (audio) return audio;
    audio = document.createElement('audio');
    audio.controls = true;
    audio.preload = 'auto';
    audio.dataset.file = recording.file;
    audio.dataset.channel = recording.channel;
    const report = () => {
      if (this.leading === recording) this.onTime(recording.start + audio.currentTime, recording);
    };
    audio.addEventListener('play', () => {
      this.lead(recording);
      report();
    });
    audio.addEventListener('timeupdate', report);
    audio.addEventListener('seeked', report);
    this.audios.set(recording.file, audio);
    return audio;
  }

  /** Makes `recording` lead and pauses every other audio. */
  lead(recording) {
    this.leading = recording;
    for (const [file, audio] of this.audios) {
      if (file !== recording.file && !audio.paused) audio.pause();
    }
  }

  /** Moves `recording`'s audio to `offset` s and makes it lead; it plays on if an audio was playing. */
  seek(recording, offset) {
    const audio = this.audioFor(recording);
    const playing = [...this.audios.values()].some((other) => !other.paused);
    this.lead(recording);
    audio.currentTime = offset;
    this.onTime(recording.start + offset, recording);
    if (playing && audio.paused) audio.play().catch(() => {});
  }
}
