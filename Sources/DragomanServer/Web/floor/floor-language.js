// The floor language, one tap away: the technician (or chair's assistant) marks which language the speaker is
// speaking. The server alerts every channel whose audio changes with it (see docs/protocol.md).

import { $ } from '../shared/dom.js';
import { capitalize, languageName, t } from '../shared/i18n.js';

/**
 * Shows one button per language of the event, the current one pressed.
 * @param {{code: string, languages: string[], current: string|null, token: () => string}} options
 */
export function setupFloorLanguage({ code, languages, current, token }) {
  const section = $('floor-language');
  const list = $('floor-language-buttons');
  let selected = current || null;

  function render() {
    list.replaceChildren(...languages.map((language) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'channel';
      button.dataset.language = language;
      button.setAttribute('aria-pressed', String(language === selected));
      button.textContent = capitalize(languageName(language));
      button.addEventListener('click', () => choose(language));
      return button;
    }));
  }

  async function choose(language) {
    const status = $('floor-language-status');
    status.textContent = '';
    try {
      const response = await fetch(`/api/events/${encodeURIComponent(code)}/floor-language`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token()}` },
        body: JSON.stringify({ language }),
      });
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        status.textContent = (body && body.error && body.error.message) || `HTTP ${response.status}`;
        return;
      }
      selected = language;
      render();
      status.textContent = t('floorLanguageSet', { language: languageName(language) });
    } catch (error) {
      status.textContent = (error && error.message) || String(error);
    }
  }

  render();
  section.hidden = languages.length === 0;
  return { render };
}
