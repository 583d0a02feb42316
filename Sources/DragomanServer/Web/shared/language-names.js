// Language names in each page language, for channel buttons and sentences; Intl.DisplayNames covers the rest.
// Apart from the word tables (i18n/*.js) because those tables use these names in their sentences.

const NAMES = {
  en: {
    kk: 'Kazakh', ru: 'Russian', en: 'English', zh: 'Chinese', ar: 'Arabic', fr: 'French',
    de: 'German', es: 'Spanish', it: 'Italian', pt: 'Portuguese', tr: 'Turkish', uz: 'Uzbek',
    ky: 'Kyrgyz', tg: 'Tajik', tk: 'Turkmen', az: 'Azerbaijani', uk: 'Ukrainian',
    be: 'Belarusian', mn: 'Mongolian', ka: 'Georgian', hy: 'Armenian', ug: 'Uyghur',
    ja: 'Japanese', ko: 'Korean', fa: 'Persian', hi: 'Hindi',
  },
  ru: {
    kk: 'казахский', ru: 'русский', en: 'английский', zh: 'китайский', ar: 'арабский',
    fr: 'французский', de: 'немецкий', es: 'испанский', it: 'итальянский',
    pt: 'португальский', tr: 'турецкий', uz: 'узбекский', ky: 'киргизский',
    tg: 'таджикский', tk: 'туркменский', az: 'азербайджанский', uk: 'украинский',
    be: 'белорусский', mn: 'монгольский', ka: 'грузинский', hy: 'армянский',
    ug: 'уйгурский', ja: 'японский', ko: 'корейский', fa: 'персидский', hi: 'хинди',
  },
  kk: {
    kk: 'қазақ тілі', ru: 'орыс тілі', en: 'ағылшын тілі', zh: 'қытай тілі', ar: 'араб тілі',
    fr: 'француз тілі', de: 'неміс тілі', es: 'испан тілі', it: 'итальян тілі',
    pt: 'португал тілі', tr: 'түрік тілі', uz: 'өзбек тілі', ky: 'қырғыз тілі',
    tg: 'тәжік тілі', tk: 'түрікмен тілі', az: 'әзірбайжан тілі', uk: 'украин тілі',
    be: 'беларусь тілі', mn: 'моңғол тілі', ka: 'грузин тілі', hy: 'армян тілі',
    ug: 'ұйғыр тілі', ja: 'жапон тілі', ko: 'корей тілі', fa: 'парсы тілі', hi: 'хинди тілі',
  },
};

const displayNamesCache = new Map();
function intlName(tag, ui) {
  if (typeof Intl === 'undefined' || typeof Intl.DisplayNames !== 'function') return null;
  try {
    let dn = displayNamesCache.get(ui);
    if (dn === undefined) {
      dn = Intl.DisplayNames.supportedLocalesOf([ui]).length ? new Intl.DisplayNames([ui], { type: 'language', fallback: 'none' }) : null;
      displayNamesCache.set(ui, dn);
    }
    return dn ? dn.of(tag) || null : null;
  } catch {
    return null;
  }
}

/** A language's name in the page language `ui` (lower case inside sentences for ru and kk). */
export function languageName(tag, ui) {
  if (!tag) return '';
  const lower = String(tag).toLowerCase();
  const table = NAMES[ui] || NAMES.en;
  if (table[lower]) return table[lower];
  const fromIntl = intlName(lower, ui);
  if (fromIntl) return ui === 'en' ? fromIntl : fromIntl.toLocaleLowerCase(ui);
  const primary = lower.split('-')[0];
  if (table[primary]) return `${table[primary]} (${lower.slice(primary.length + 1)})`;
  return lower;
}
