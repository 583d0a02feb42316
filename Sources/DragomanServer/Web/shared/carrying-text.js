// What a channel carries, in words: the listener page shows it under the Listen button, the dashboard in its
// channel table. Takes the normalized carrying of api.js (normalizeCarrying).

import { capitalize, languageName, t } from './i18n.js';

/**
 * "Floor — speaker in Russian", "Interpreter", "Relay via English", "Floor — no interpretation live", …
 * channel: the channel id the carrying belongs to ('floor', 'ru', …).
 */
export function carryingText(carrying, channel) {
  if (!carrying) return '';
  const spoken = carrying.language || carrying.floorLanguage || null;
  let text;
  switch (carrying.kind) {
    case 'floor':
      if (channel === 'floor') {
        text = spoken ? t('carrying.floorSpeaker', { language: languageName(spoken) }) : t('carrying.floor');
      } else if (spoken === channel) {
        // Auto-floor: the speaker speaks this channel's language.
        text = t('carrying.floorSpeaker', { language: languageName(spoken) });
      } else if (carrying.interpretation === false) {
        text = spoken
          ? t('carrying.floorNoInterpretationSpeaker', { language: languageName(spoken) })
          : t('carrying.floorNoInterpretation');
      } else {
        text = t('carrying.floor');
      }
      break;
    case 'interpreter':
      text = t('carrying.interpreter');
      break;
    case 'relay':
      text = t('carrying.relay', { language: languageName(carrying.via || carrying.language) });
      break;
    case 'machine':
      text = t('carrying.machine');
      break;
    default:
      text = t('carrying.unknown', { kind: carrying.kind });
  }
  return capitalize(text);
}

/** Whether the channel now carries an interpretation (a booth, a relay or a machine), not the floor. */
export function carriesInterpretation(carrying) {
  return !!carrying && carrying.kind !== 'floor' && carrying.interpretation !== false;
}
