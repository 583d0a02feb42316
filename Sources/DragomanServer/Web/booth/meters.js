// The console's meters and clocks: the microphone meter at display rate, the level of what the interpreter
// hears, the microphone warnings, the clock and the length of the turn.

import { $, setText } from '../shared/dom.js';
import { FallingBar, PeakMeter } from '../shared/level-meter.js';
import { t } from '../shared/i18n.js';
import { clockText, derived, page } from './state.js';
import { renderTurn } from './view.js';

const CLIP_SHOWN_MS = 2000;

const micMeter = new PeakMeter({ cover: $('meter-cover'), hold: $('meter-peak'), clip: $('clip'), readout: $('meter-db') });
const incomingBar = new FallingBar($('in-meter-cover'));

function drawMeters(now) {
  const active = !!(page.mic && page.mic.isOpen);
  const peak = active ? page.mic.takePeak() : 0;
  const clipping = active && performance.now() - page.mic.lastClipAt < CLIP_SHOWN_MS;
  micMeter.draw(now, { peak, active, clipping });
  const inLevel = page.incoming ? page.incoming.level() : 0;
  incomingBar.draw(now, inLevel > 0 ? 20 * Math.log10(inLevel) + 3 : -Infinity); // RMS → about the peak of speech
  requestAnimationFrame(drawMeters);
}

export function renderWarnings() {
  const d = derived();
  const list = page.mic ? page.mic.warnings({ live: d.iAmLive && !d.coughing && !page.coughHeld }) : [];
  const ul = $('mic-warnings');
  const key = list.join(',') + document.documentElement.lang;
  if (ul.dataset.key === key) return;
  ul.dataset.key = key;
  ul.textContent = '';
  for (const w of list) {
    const li = document.createElement('li');
    li.dataset.warning = w;
    li.textContent = t(`booth.warn.${w}`);
    ul.append(li);
  }
}

export function startMetersAndClocks() {
  requestAnimationFrame(drawMeters);
  setInterval(() => {
    setText($('clock'), clockText());
    $('clock').dateTime = new Date().toISOString();
    renderTurn(derived());
    renderWarnings();
    const inc = page.incoming;
    if (inc && inc.packets) setText($('incoming-stats'), t('booth.incomingStats', { buffer: inc.bufferMs === null ? '—' : Math.round(inc.bufferMs), lost: inc.lost, packets: inc.packets }));
  }, 250);
}
