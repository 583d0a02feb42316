// The languages an organizer picks from: ISO 639 codes with each language's name in its own script. Covers the six
// UN languages, the languages of the CIS and the EU, the Turkic and Central Asian languages, and the others met most
// at meetings in the region. Names in the page language come from language-names.js / Intl.DisplayNames.

export const LANGUAGES = [
  // UN
  ['ar', 'العربية'], ['zh', '中文'], ['en', 'English'], ['fr', 'Français'], ['ru', 'Русский'], ['es', 'Español'],
  // CIS and neighbours
  ['kk', 'Қазақша'], ['ky', 'Кыргызча'], ['uz', 'Oʻzbekcha'], ['tg', 'Тоҷикӣ'], ['tk', 'Türkmençe'],
  ['az', 'Azərbaycanca'], ['hy', 'Հայերեն'], ['be', 'Беларуская'], ['ro', 'Română'], ['ka', 'ქართული'],
  ['uk', 'Українська'], ['mn', 'Монгол'],
  // Turkic
  ['tr', 'Türkçe'], ['tt', 'Татарча'], ['ba', 'Башҡортса'], ['ug', 'ئۇيغۇرچە'], ['cv', 'Чӑвашла'], ['sah', 'Саха тыла'],
  ['crh', 'Qırımtatarca'], ['kaa', 'Qaraqalpaqsha'], ['gag', 'Gagauzca'],
  // Central and South Asia
  ['fa', 'فارسی'], ['ps', 'پښتو'], ['ur', 'اردو'], ['hi', 'हिन्दी'], ['bn', 'বাংলা'],
  // EU
  ['bg', 'Български'], ['hr', 'Hrvatski'], ['cs', 'Čeština'], ['da', 'Dansk'], ['nl', 'Nederlands'], ['et', 'Eesti'],
  ['fi', 'Suomi'], ['de', 'Deutsch'], ['el', 'Ελληνικά'], ['hu', 'Magyar'], ['ga', 'Gaeilge'], ['it', 'Italiano'],
  ['lv', 'Latviešu'], ['lt', 'Lietuvių'], ['mt', 'Malti'], ['pl', 'Polski'], ['pt', 'Português'], ['sk', 'Slovenčina'],
  ['sl', 'Slovenščina'], ['sv', 'Svenska'],
  // Others often interpreted
  ['ja', '日本語'], ['ko', '한국어'], ['he', 'עברית'], ['sr', 'Српски'], ['sq', 'Shqip'], ['mk', 'Македонски'],
  ['no', 'Norsk'], ['is', 'Íslenska'], ['id', 'Bahasa Indonesia'], ['ms', 'Bahasa Melayu'], ['vi', 'Tiếng Việt'],
  ['th', 'ไทย'], ['sw', 'Kiswahili'],
].map(([code, own]) => ({ code, own }));

const BY_CODE = new Map(LANGUAGES.map((entry) => [entry.code, entry]));

/** The language's name in its own script (the code itself for one the catalogue lacks). */
export function ownName(code) {
  const entry = BY_CODE.get(String(code).toLowerCase());
  return entry ? entry.own : String(code);
}

/**
 * The catalogue entries matching `query` by code, own name or the name in the page language (`nameInUI(code)`),
 * case- and accent-insensitive; all of them for an empty query.
 */
export function searchLanguages(query, nameInUI) {
  const q = fold(query);
  if (!q) return LANGUAGES;
  return LANGUAGES.filter(({ code, own }) => code.startsWith(q) || fold(own).includes(q) || fold(nameInUI(code)).includes(q));
}

function fold(text) {
  return String(text || '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
}
