// The microphone level meter of the floor page and the console, drawn at display rate in the peak-programme
// style: instant attack, a fall of 20 dB/s, and a peak mark held for 1.5 s. Scale: −60…0 dBFS.

import { setText } from './dom.js';
import { t } from './i18n.js';

const RANGE_DB = 60;
const FALL_DB_PER_S = 20;
const HOLD_MS = 1500;
const READOUT_EVERY_MS = 250; // a number that changes at 60 Hz cannot be read

/** A level in dBFS as the lit share of the meter, in %. */
export function dbToPercent(db) {
  if (!Number.isFinite(db)) return 0;
  return Math.max(0, Math.min(100, ((db + RANGE_DB) / RANGE_DB) * 100));
}

/** The level shown after `dt` seconds: the new one if higher, else the old one fallen by 20 dB/s. */
export function fallingDb(db, shownDb, dt) {
  return Math.max(db, (Number.isFinite(shownDb) ? shownDb : -90) - FALL_DB_PER_S * dt);
}

/** Seconds since the last frame (0 at the first, at most 0.5 after a hidden tab). */
function frameSeconds(meter, now) {
  const dt = meter.lastFrame ? Math.min(0.5, (now - meter.lastFrame) / 1000) : 0;
  meter.lastFrame = now;
  return dt;
}

export class PeakMeter {
  /** cover: hides the unlit part of the bar; hold: the peak mark; clip: the CLIP sign; readout: the peak in dB. */
  constructor({ cover, hold, clip, readout }) {
    Object.assign(this, { cover, hold, clip, readout });
    this.barDb = -Infinity;
    this.holdDb = -Infinity;
    this.holdAt = 0;
    this.lastFrame = 0;
    this.lastText = 0;
  }

  /** One frame: peak is the highest sample (0..1) since the last frame; active: the microphone is open. */
  draw(now, { peak, active, clipping }) {
    const dt = frameSeconds(this, now);
    const db = active && peak > 0 ? 20 * Math.log10(peak) : -Infinity;
    this.barDb = fallingDb(db, this.barDb, dt);
    if (db >= this.holdDb) {
      this.holdDb = db;
      this.holdAt = now;
    } else if (now - this.holdAt > HOLD_MS) {
      this.holdDb = fallingDb(-Infinity, this.holdDb, dt);
    }
    if (!active) this.barDb = this.holdDb = -Infinity;
    this.cover.style.width = `${100 - dbToPercent(this.barDb)}%`;
    this.hold.style.left = `calc(${dbToPercent(this.holdDb)}% - 3px)`;
    this.hold.hidden = !active || this.holdDb < -RANGE_DB;
    this.clip.hidden = !clipping;
    if (now - this.lastText > READOUT_EVERY_MS) {
      this.lastText = now;
      setText(this.readout, active && this.holdDb > -90 ? t('peakDb', { db: this.holdDb.toFixed(1).replace('-', '−') }) : '');
    }
  }
}

/** A bar without a peak mark (what the interpreter hears): instant attack, 20 dB/s fall. */
export class FallingBar {
  constructor(cover) {
    this.cover = cover;
    this.db = -Infinity;
    this.lastFrame = 0;
  }

  draw(now, db) {
    this.db = fallingDb(db, this.db, frameSeconds(this, now));
    this.cover.style.width = `${100 - dbToPercent(this.db)}%`;
  }
}
