// What the booth hears: the floor, or another booth's interpretation (relay), and how deep that relay is.

import { $, setText } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { MessageType } from '../shared/protocol.js';
import { refusalText, send } from './refusals.js';
import { langName, page } from './state.js';

export function chooseSource(relay) {
  send({ type: MessageType.source, relay: relay || null }, 'source');
}

export function cycleSource() {
  const s = page.state;
  if (!s) return;
  const options = [null, ...(Array.isArray(s.relayOptions) ? s.relayOptions : [])];
  const current = s.source && s.source.kind === 'relay' ? s.source.language : null;
  const i = options.indexOf(current);
  chooseSource(options[(i + 1) % options.length]);
}

export function renderIncoming(d) {
  const s = d.s;
  const hears = s && s.hears ? s.hears : null;
  const depth = hears ? Number(hears.depth) || 0 : null;
  $('hears').dataset.depth = depth === null ? '' : String(Math.min(depth, 3));
  setText($('hears-depth'), depth === null ? '—' : depth === 0 ? t('booth.depth0') : depth === 1 ? t('booth.depth1') : depth === 2 ? t('booth.depth2') : t('booth.depthN', { n: depth }));
  setText($('hears-language'), hears ? langName(hears.language) : '');
  let detail = '';
  if (s) {
    const source = s.source || { kind: 'floor' };
    if (source.kind === 'relay' && depth === 0) detail = t('booth.hearsRelayFallback', { booth: langName(source.language) });
    else if (source.kind === 'relay' && depth === 1) detail = t('booth.hearsRelay', { booth: langName(source.language) });
    else if (source.kind === 'relay') detail = t('booth.hearsRelayOfRelay', { booth: langName(source.language) });
    else detail = t('booth.hearsFloor');
    if (s.floorLive === false && depth === 0) detail = source.kind === 'relay' ? `${detail} ${t('booth.floorSilent')}` : t('booth.floorSilent');
  }
  setText($('hears-detail'), detail);
  const refusal = page.refusal && page.refusal.area === 'source' ? ` ${refusalText(page.refusal)}` : '';
  if (refusal) setText($('hears-detail'), detail + refusal);

  // The source buttons: the floor, then every booth this one may take relay from.
  const options = s && Array.isArray(s.relayOptions) ? s.relayOptions : [];
  const current = s && s.source && s.source.kind === 'relay' ? s.source.language : null;
  const all = current && !options.includes(current) ? [...options, current] : options;
  const key = `${all.join(',')}|${current}|${page.conn}|${document.documentElement.lang}`;
  if (key !== page.sourcesKey) {
    page.sourcesKey = key;
    const box = $('sources');
    box.textContent = '';
    const make = (relay) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'source';
      b.dataset.source = relay || 'floor';
      b.setAttribute('aria-pressed', String(relay === current));
      b.disabled = page.conn !== 'open';
      if (relay) {
        b.append(t('booth.sourceRelay', { language: langName(relay) }));
      } else {
        b.append(t('booth.sourceFloor'), ' ');
        const k = document.createElement('kbd');
        k.textContent = 'F';
        b.append(k);
        b.setAttribute('aria-keyshortcuts', 'F');
      }
      b.addEventListener('click', () => chooseSource(relay));
      return b;
    };
    box.append(make(null));
    for (const relay of all) box.append(make(relay));
  }
  $('no-relay').hidden = !s || all.length > 0;

  const inc = page.incoming;
  setText($('incoming-stats'), inc && inc.packets ? t('booth.incomingStats', { buffer: inc.bufferMs === null ? '—' : Math.round(inc.bufferMs), lost: inc.lost, packets: inc.packets }) : '');
}
