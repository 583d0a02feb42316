// The list of the server's meetings, each with its state now (floor, listeners, interpreters) and what the
// technician does with it: open the dashboard, print place cards, copy the join link, edit, use as a template,
// delete.

import { el } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { ownName } from './language-catalog.js';

/** What one meeting looks like now: { event, live, interpreters } → the list item. */
export function eventItem({ event, live, interpreters }, actions) {
  const listeners = live ? live.channels.reduce((sum, channel) => sum + (channel.listeners || 0), 0) : 0;
  const languages = event.languages.map((code) => {
    const machine = event.machine.includes(code) ? ` (${t('orgMachineShort')})` : '';
    return `${ownName(code)}${machine}`;
  });
  // A booth is staffed when its channel carries its interpreter now (the public state says what each carries).
  const staffed = live ? live.channels.filter((c) => c.carrying && c.carrying.kind === 'interpreter').map((c) => ownName(c.language || c.id)) : [];
  const state = [
    live && live.floorLive ? t('orgFloorLive') : t('orgFloorOff'),
    staffed.length ? t('orgBoothsLive', { booths: staffed.join(', ') }) : null,
    live && live.floorLanguage ? t('orgSpeaking', { language: live.floorLanguage }) : null,
    t('orgListeners', { count: listeners }),
    t('orgInterpreterCount', { count: interpreters.length }),
    event.pinRequired ? t('orgWithPin') : null,
    event.recording ? t('orgRecorded') : null,
  ].filter(Boolean);
  const button = (key, action, extra = {}) =>
    el('button', { attrs: { type: 'button', 'data-action': action, ...extra.attrs }, className: extra.className || '', text: t(key) });
  const item = el('li', { className: 'org-event panel', attrs: { 'data-code': event.code } },
    el('h2', {}, el('span', { text: event.name }), ' ', el('span', { className: 'dash-code', text: event.code }),
      event.confidential ? el('span', { className: 'org-badge', attrs: { 'data-badge': 'confidential' }, text: t('orgConfidentialBadge') }) : ''),
    el('p', { className: 'org-languages', text: languages.join(' · ') }),
    el('p', { className: 'org-state', attrs: { 'data-live': live && live.floorLive ? 'true' : 'false' }, text: state.join(' · ') }),
    el('div', { className: 'org-recordings', attrs: { hidden: true } }),
    el('div', { className: 'org-actions' },
      el('a', { className: 'button primary', attrs: { href: `/dashboard/${encodeURIComponent(event.code)}` }, text: t('orgDashboard') }),
      el('a', { className: 'button', attrs: { href: `/dashboard/${encodeURIComponent(event.code)}?view=cards` }, text: t('dashCards') }),
      button('orgCopyLink', 'copy'),
      button('orgEdit', 'edit'),
      button('orgTemplate', 'template'),
      button('orgRecordings', 'recordings'),
      button('orgDelete', 'delete', { className: 'danger' })));
  item.addEventListener('click', (clicked) => {
    const target = clicked.target.closest('button[data-action]');
    if (target) actions[target.dataset.action](event, { live, interpreters, listeners });
  });
  return item;
}
