// What a boothmate writes down for the live interpreter, taken from one final line of the floor's transcript:
// numbers with their unit or percent sign ("15 %", "2,5 млн тонн", "1 200"), dates and years, proper names
// (capitalised words that do not start a sentence; several in a row stay together), and glossary terms when a
// list is given. Pure (no DOM, no page state), so that it can be tested on its own; booth/notes.js shows it.
//
// Russian, Kazakh and English, Cyrillic and Latin. The rules are deliberately simple: a boothmate's pencil, not a
// parser; a missed item costs less than a wrong one, so anything doubtful is left out.

const L = '\\p{L}';
const DIGITS = '\\d{1,3}(?:[ \\u00a0\\u202f]\\d{3})+|\\d+'; // "1 200" (thousands apart by a space) or "1200"
const NUMBER = `(?:${DIGITS})(?:[.,]\\d+)?`;

// Month names (and their usual inflections) in the three languages.
const MONTHS = [
  'январ[яье]', 'феврал[яье]', 'марта?', 'апрел[яье]', 'ма[яей]', 'июн[яье]', 'июл[яье]', 'августа?', 'сентябр[яье]',
  'октябр[яье]', 'ноябр[яье]', 'декабр[яье]',
  'қаңтар', 'ақпан', 'наурыз', 'сәуір', 'мамыр', 'маусым', 'шілде', 'тамыз', 'қыркүйек', 'қазан', 'қараша', 'желтоқсан',
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november',
  'december',
].join('|');
// Kazakh month names take endings ("наурызда", "қазанның"); the day may carry one too ("15-наурыз").
const MONTH = `(?:${MONTHS})${L}*`;
const YEAR = '(?:1[89]\\d\\d|20\\d\\d)';
// After a year: the word for "year", which the note leaves out ("2025 году" → "2025").
const YEAR_WORD = `(?:\\s*(?:-?ж\\.|жыл${L}*|год${L}*|г\\.|year${L}*))?`;

const DATE_PATTERNS = [
  // 15.03.2026, 15/03/2026
  new RegExp(`(?<![\\d.,])\\d{1,2}[./]\\d{1,2}[./](?:\\d{4}|\\d{2})(?![\\d.,]*\\d)`, 'giu'),
  // 15 марта 2026 года, 15-наурыз, 15 March 2026
  new RegExp(`(?<!\\d)\\d{1,2}(?:-?(?:го|ші|шы|th|st|nd|rd))?[ \\u00a0-]?(?:${MONTH})(?:\\s+${YEAR}(?!\\d))?${YEAR_WORD}`, 'giu'),
  // March 15, 2026
  new RegExp(`(?<!${L})(?:${MONTH})\\s+\\d{1,2}(?!\\d)(?:,?\\s+${YEAR}(?!\\d))?`, 'giu'),
  // 2026 жылы, в 2025 году, 2030-ж.: a year stands alone
  new RegExp(`(?<![\\d.,])${YEAR}(?![\\d.,]*\\d)(?!\\s*(?:%|процент|пайыз|percent))${YEAR_WORD}`, 'giu'),
];

// Words of scale, which belong to the number before them ("2,5 млн").
const SCALE = '(?:тыс\\.?|тысяч\\p{L}*|млн\\.?|миллион\\p{L}*|млрд\\.?|миллиард\\p{L}*|трлн\\.?|триллион\\p{L}*|мың|million|billion|trillion|thousand|bn)';
// Units, currencies and counted things a boothmate would write with the number ("тонн", "долларов", "km").
const UNIT = '(?:%|‰|\\$|€|₸|₽|тонн\\p{L}*|т\\.|доллар\\p{L}*|евро|теңге\\p{L}*|тенге|рубл\\p{L}*|сом\\p{L}*|юан\\p{L}*|'
  + 'процент\\p{L}*|пайыз\\p{L}*|percent|per cent|dollars?|euros?|tenge|roubles?|rubles?|tons?|tonnes?|'
  + 'км|кг|га|km|kg|ha|mw|мвт|гвт|квт|gw|kw|кв\\.?\\s?м|баррел\\p{L}*|barrels?|гектар\\p{L}*|hectares?|'
  + 'километр\\p{L}*|kilometres?|kilometers?|метр\\p{L}*|metres?|meters?|литр\\p{L}*|litres?|liters?|'
  + 'человек|адам|people|сотрудник\\p{L}*|участник\\p{L}*|қатысушы\\p{L}*|жұмыс орн\\p{L}*|рабочих мест|jobs|'
  + 'раза?|есе|times|лет|года?|жыл\\p{L}*|years?|дней|дня|күн\\p{L}*|days?|месяц\\p{L}*|ай|months?|'
  + 'компани\\p{L}*|компания\\p{L}*|companies|стран\\p{L}*|ел|countries)';
// A currency sign before the number ("$ 5 млрд").
const PREFIX = '(?:[$€₸₽]\\s?)?';
// After a word of scale with no unit, the word it counts ("5 млрд инвестиций"), unless that is a function word.
const COUNTED = '(?!(?:было|были|будет|будут|также|которые|который|которая|более|менее|около|почти|через|после|'
  + 'жылы|және|деген|болды|with|from|that|this|more|than|were|will|have|which)(?!\\p{L}))\\p{Ll}{4,}';
const NUMBER_PATTERN = new RegExp(
  `(?<![\\p{L}\\d.,])${PREFIX}[-−+]?${NUMBER}`
  + `(?:\\s?${SCALE}(?!\\p{L})(?:\\s?${UNIT}(?!\\p{L})|\\s${COUNTED}(?!\\p{L}))?|\\s?${UNIT}(?!\\p{L}))?`,
  'giu',
);

// Capitalised words: a proper name ("Астана"), an abbreviation ("ЕАЭС", "NATO"), with hyphens ("Нур-Султан").
const CAPITALISED = `\\p{Lu}[\\p{L}\\p{M}'’]*(?:-\\p{Lu}?[\\p{L}\\p{M}'’]+)*`;
// Particles inside a name ("Ursula von der Leyen", "Ахмед аль-…" is hyphenated already).
const PARTICLES = '(?:von|van|der|den|de|da|di|du|la|le|al|bin|ibn|ben)';
const NAME_RUN = new RegExp(`(?<![\\p{L}\\d])${CAPITALISED}(?:\\s+(?:${PARTICLES}\\s+)*${CAPITALISED})*`, 'gu');
// Words that are capitalised for other reasons: the first-person pronoun and the like.
const NOT_NAMES = new Set(['I', 'OK', 'Ok']);
// Words that open a sentence and are no name ("Сегодня Нурлан…", "Уважаемый Касым-Жомарт…"): at a sentence start
// the run of capitalised words loses them.
const OPENERS = new Set([
  'в', 'во', 'на', 'с', 'со', 'к', 'по', 'из', 'за', 'для', 'и', 'а', 'но', 'как', 'так', 'это', 'этот', 'эта', 'мы',
  'я', 'вы', 'он', 'она', 'они', 'сегодня', 'сейчас', 'теперь', 'также', 'кроме', 'здесь', 'уважаемый', 'уважаемая',
  'уважаемые', 'дорогие', 'дорогой', 'спасибо', 'господин', 'госпожа', 'коллеги', 'президент', 'премьер-министр',
  'бүгін', 'біз', 'мен', 'сіз', 'қазір', 'бұл', 'осы', 'құрметті', 'қымбатты', 'сондай-ақ', 'рахмет', 'және', 'бірақ',
  'the', 'a', 'an', 'today', 'we', 'i', 'this', 'that', 'in', 'on', 'at', 'now', 'thank', 'thanks', 'dear', 'and',
  'but', 'our', 'it', 'ladies', 'mr', 'mrs', 'ms', 'president', 'so', 'as', 'for', 'with',
]);

/** Where each sentence starts in `text` (offsets): the start of the line and after . ! ? … followed by a space. */
function sentenceStarts(text) {
  const starts = new Set([0]);
  const re = /[.!?…]+["»”)]*\s+["«“(]*/gu;
  let m;
  while ((m = re.exec(text)) !== null) starts.add(m.index + m[0].length);
  // Opening quotes or dashes at the very start of the line.
  const lead = text.match(/^[\s"«“(—–-]*/u);
  if (lead) starts.add(lead[0].length);
  return starts;
}

/** The spans of `re` in `text` that do not overlap one taken already; adds them to `taken`. */
function claim(re, text, taken, kind, make = (m) => m[0]) {
  const out = [];
  re.lastIndex = 0;
  let m;
  while ((m = re.exec(text)) !== null) {
    if (!m[0]) {
      re.lastIndex += 1;
      continue;
    }
    const start = m.index;
    const end = start + m[0].length;
    if (taken.some(([a, b]) => start < b && a < end)) continue;
    const value = make(m);
    if (!value) continue;
    taken.push([start, end]);
    out.push({ kind, text: value, at: start });
  }
  return out;
}

const tidy = (s) => s.replace(/[\s\u00a0\u202f]+/gu, ' ').trim();

/** A number as the boothmate writes it: thin spaces kept as one space, "15%" as "15 %". */
function numberText(raw) {
  return tidy(raw).replace(/(\d)\s?([%‰])/u, '$1 $2');
}

/** A date without the word for "year" and without a trailing dot. */
function dateText(raw) {
  return tidy(raw)
    .replace(new RegExp(`\\s*(?:-?ж\\.|жыл${L}*|год${L}*|г\\.|year${L}*)$`, 'iu'), '')
    .replace(/[.,]$/u, '');
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Glossary terms as one pattern: each term, case-insensitively, at the start of a word and running to the word's
 * end (so that an inflected "инвестициями" still finds "инвестиции").
 */
function termPattern(terms) {
  const clean = [...new Set(terms.map((term) => tidy(String(term || ''))).filter((term) => term.length >= 2))];
  if (!clean.length) return null;
  clean.sort((a, b) => b.length - a.length); // the longest first: "green hydrogen" before "hydrogen"
  const stems = clean.map((term) => term.split(' ').map((word) => {
    // Each word may be inflected ("зелёный водород" → "зелёном водороде"): a long word loses its last two
    // letters, a shorter one a final vowel; whatever letters follow still belong to the term.
    if (!/^\p{L}+$/u.test(word)) return escapeRegExp(word);
    const stem = word.length >= 6 ? word.slice(0, -2) : word.length >= 4 ? word.replace(/[аеёиоуыэюяьйaeiouy]$/iu, '') : word;
    return `${escapeRegExp(stem)}\\p{L}*`;
  }).join('\\s+'));
  return { terms: clean, re: new RegExp(`(?<![\\p{L}\\d])(?:${stems.map((s) => `(${s})`).join('|')})`, 'giu') };
}

/**
 * The notes of one line of the floor's transcript, in the order they were said: [{ kind, text }], kind being
 * `term` (from `terms`, written as the glossary writes it), `date`, `number` or `name`. A span belongs to one note
 * only: a date wins over a number, a number (with the words it counts) over a glossary term, a term over a name.
 */
export function extractNotes(line, { terms = [] } = {}) {
  const text = String(line || '');
  if (!text.trim()) return [];
  const taken = [];
  const notes = [];

  for (const re of DATE_PATTERNS) notes.push(...claim(re, text, taken, 'date', (m) => dateText(m[0])));
  notes.push(...claim(NUMBER_PATTERN, text, taken, 'number', (m) => {
    const value = numberText(m[0]);
    // A bare one-digit number ("в 3 раза" keeps its unit; "2 вопроса" is not worth a note).
    return /^\d$/u.test(value) ? null : value;
  }));

  const glossary = termPattern(Array.isArray(terms) ? terms : []);
  if (glossary) {
    notes.push(...claim(glossary.re, text, taken, 'term', (m) => {
      const index = m.slice(1).findIndex((group) => group !== undefined);
      return index >= 0 ? glossary.terms[index] : null;
    }));
  }
  const starts = sentenceStarts(text);
  notes.push(...claim(NAME_RUN, text, taken, 'name', (m) => {
    let words = m[0].split(/\s+/u);
    // A sentence's first word is capitalised anyway: it counts only as the start of a longer name
    // ("Владимир Владимирович сказал…"), not alone ("Сегодня…"), and not when it is a common opener.
    if (starts.has(m.index)) {
      if (words.length < 2 && !/^\p{Lu}{2,}$/u.test(words[0])) return null; // an abbreviation counts alone
      if (OPENERS.has(words[0].toLocaleLowerCase())) words = words.slice(1);
    }
    words = words.filter((word) => !NOT_NAMES.has(word));
    return words.length ? words.join(' ') : null;
  }));

  notes.sort((a, b) => a.at - b.at);
  return notes.map(({ kind, text: value }) => ({ kind, text: value }));
}

/**
 * The notes a strip keeps: the newest first, at most `keep`; a note said again moves to the front with its new
 * time instead of showing twice. `notes` is the strip's list ([{ kind, text, at }]); returns the new list.
 */
export function mergeNotes(notes, fresh, at, keep = 6) {
  const key = (note) => note.text.toLocaleLowerCase();
  const incoming = fresh.map((note) => ({ ...note, at }));
  // In a line, what was said last is the newest.
  const merged = [...incoming.reverse()];
  for (const note of notes) {
    if (!merged.some((n) => key(n) === key(note))) merged.push(note);
  }
  const unique = [];
  for (const note of merged) {
    if (!unique.some((n) => key(n) === key(note))) unique.push(note);
  }
  return unique.slice(0, keep);
}
