// The apps' own words, one table per language, and language names.
// A value is a string with {placeholders} or a function of the parameters.

import { load, save } from './storage.js';

// Language names, lower case as they are written inside a sentence (ru, kk);
// capitalize() makes a button label of them. Intl.DisplayNames covers the rest.
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

// Kazakh case forms of a language name: "қазақ тілі" → "қазақ тілінде" / "қазақ тіліне".
function kkForm(name, ending) {
  const stem = name.replace(/\s+тілі$/u, '');
  return `${stem} ${ending}`;
}

const en = {
  uiLanguage: 'Language of this page',
  noscript: 'This page needs JavaScript.',
  joinTitle: 'Join a meeting',
  joinCodeLabel: 'Join code',
  joinCodeHint: '6 letters and digits, printed on your card or under the QR code',
  pinLabel: 'PIN',
  pinHint: 'This meeting needs a PIN. Ask the organiser.',
  joinButton: 'Join',
  joining: 'Joining…',
  codeInvalid: 'A join code has 6 characters: letters and digits, without 0, O, 1, I and L.',
  pinMissing: 'Enter the PIN of this meeting.',
  changeEvent: 'Another meeting',
  meetingCode: 'Code {code}',
  channel: 'Channel',
  floor: 'Floor',
  floorHint: 'the speaker’s own voice',
  listen: 'Listen',
  stop: 'Stop',
  volume: 'Volume',
  earphonesHint: 'Use wired earphones: Bluetooth adds a noticeable delay.',
  'status.idle': 'Press Listen to start.',
  'status.connecting': 'Connecting…',
  'status.connected': 'Connected',
  'status.reconnecting': 'Connection lost — reconnecting…',
  'status.error': 'Error',
  'status.buffering': 'Connected — waiting for sound…',
  'status.suspended': 'The phone paused the sound — tap anywhere to resume.',
  'status.switching': 'Switching to {channel}…',
  'carrying.floor': 'Floor',
  'carrying.floorNoInterpretation': 'Floor — no interpretation live',
  'carrying.floorSameLanguage': 'Floor — the speaker is speaking this language',
  'carrying.interpreter': 'Interpreter',
  'carrying.relay': 'Relay via {language}',
  'carrying.machine': 'Machine interpretation',
  'carrying.unknown': 'Source: {kind}',
  floorLive: 'Floor is live',
  floorSilent: 'Floor is silent (the speaker’s microphone is not connected)',
  'path.webcodecs': 'Low-delay mode',
  'path.pcm': 'Low-delay mode (uncompressed, uses more data)',
  'path.stream': 'Stream mode (higher delay)',
  delay: 'Delay {total} ms (network {net} + buffer {buffer}) · lost {lost} of {packets}',
  delayStream: 'Buffered {buffer} ms (plus the browser’s own buffering)',
  streamNote: 'Higher-delay mode: this page was opened with an http:// link, so your browser plays a buffered stream, 1–3 seconds behind the speaker. For low delay, open this meeting’s https:// link (ask the organiser, or scan the QR code on your card).',
  streamLink: 'Open the low-delay link',
  streamUnsupported: 'This browser cannot play the stream of this page. Open this meeting’s https:// link instead.',
  'err.unknown-event': 'No meeting has the join code {code}.',
  'err.unauthorized': 'Wrong PIN.',
  'err.unknown-channel': 'This meeting has no such channel.',
  'err.network': 'Cannot reach the server. Check your Wi-Fi connection and try again.',
  'err.audio': 'This browser could not start the sound: {message}',
  alertTitle: 'Language change',
  alertClose: 'Close',
  // The floor-language switch alert: "The speaker is now speaking {language} — {channel} interpretation is live".
  alertFloorSwitch: ({ language, channel }) =>
    `The speaker is now speaking ${languageName(language, 'en')} — ${languageName(channel, 'en')} interpretation is live`,
  alertFloorSwitchUnknown: ({ channel }) =>
    `The speaker changed language — ${languageName(channel, 'en')} interpretation is live`,
  alertFloorOwnLanguage: ({ language }) => `The speaker is now speaking ${languageName(language, 'en')}: you hear the original`,
  alertFloorSwitchNoInterpretation: ({ language, channel }) =>
    `The speaker is now speaking ${languageName(language, 'en')} — no ${languageName(channel, 'en')} interpretation is live: you hear the original`,
  // Floor page.
  floorTitle: 'Floor microphone',
  floorLanguageTitle: 'The speaker is speaking',
  floorLanguageSet: ({ language }) => `Floor language: ${language}. Listeners whose channel changes were alerted.`,
  floorIntro: 'Sends this computer’s audio input to the meeting as the floor: the original sound every channel starts from.',
  floorCodeLabel: 'Join code of the meeting',
  tokenLabel: 'Floor token',
  tokenHint: 'Given when the meeting was created. A link may carry it after #token=.',
  rememberToken: 'Remember the token on this computer',
  deviceLabel: 'Audio input',
  deviceDefault: 'Default input',
  deviceUnnamed: 'Input {n}',
  goOnAir: 'Go on air',
  stopAir: 'Stop sending',
  onAir: 'ON AIR',
  offAir: 'OFF AIR',
  'floor.connecting': 'Connecting…',
  'floor.reconnecting': 'Connection lost — reconnecting, keep this page open…',
  'floor.onAir': 'Sending the floor to the listeners.',
  'floor.idle': 'Not sending.',
  levelTitle: 'Input level',
  clip: 'CLIP',
  peakDb: 'Peak {db} dBFS',
  processingOff: 'Echo cancellation, noise suppression and automatic gain are off: the sound goes out as it comes in. Set the level on the mixer so that the peaks stay below −6 dBFS.',
  floorStats: 'On air {time} · {rate} Hz · {kbps} kbit/s · chunks dropped {dropped}',
  'floorErr.floor-busy': 'Another source is already publishing the floor of this event.',
  'floorErr.unauthorized': 'Wrong floor token.',
  'floorErr.unknown-event': 'No meeting has the join code {code}.',
  'floorErr.tokenMissing': 'Enter the floor token.',
  'floorErr.codeMissing': 'Enter the join code of the meeting.',
  'floorErr.notSecure': 'The microphone page needs a secure connection: open it with an https:// link, or on the server’s own computer at http://localhost.',
  'floorErr.micDenied': 'The browser did not allow the microphone. Allow it for this site and try again.',
  'floorErr.noDevice': 'No audio input was found. Connect a microphone or the mixer line and try again.',
  'floorErr.refused': 'The server refused the connection (close code {code}).',
  'floorErr.deviceBusy': 'The audio input could not be opened (is another program using it?): {message}',
  // Listener: what the channel carries, and the floor under interpretation.
  'carrying.floorSpeaker': 'Floor — speaker in {language}',
  'carrying.floorNoInterpretationSpeaker': 'No interpretation live — floor, speaker in {language}',
  floorMixTitle: 'Floor under interpretation',
  floorMixToggle: 'Hear the speaker softly under the interpreter',
  floorMixLevel: 'Level of the speaker',
  floorMixActive: 'The speaker plays softly under the interpretation.',
  floorMixWaiting: 'Plays while this channel carries an interpretation.',
  floorMixUnavailable: 'Needs the low-delay mode (this meeting’s https:// link).',
  // Organizer dashboard.
  dashTitle: 'Organizer dashboard',
  dashTokenLabel: 'Organizer token',
  dashTokenHint: '“dragoman serve” prints it when it starts; it is also kept in the server’s data folder.',
  dashTokenRemember: 'Remember the token on this computer',
  dashTokenMissing: 'Enter the organizer token.',
  dashOpen: 'Open the dashboard',
  dashPickTitle: 'Meetings on this server',
  dashPickEmpty: 'No meetings yet. Create one with “dragoman event create”.',
  'dash.connecting': 'Connecting…',
  'dash.connected': 'Live',
  'dash.reconnecting': 'Connection lost — reconnecting…',
  'dash.stale': 'No news from the server for a few seconds…',
  'dash.error': 'Disconnected',
  'dashErr.unauthorized': 'Wrong organizer token.',
  dashFloor: 'Floor',
  dashFloorLive: 'FLOOR LIVE',
  dashFloorSilent: 'NO FLOOR — nothing is being sent',
  dashSilentLevel: 'silence',
  dashFloorLanguageUnknown: 'Not known',
  dashFloorLanguageNow: 'Floor language: {language}.',
  dashFloorLanguageNotKnown: 'The floor language is not set.',
  dashFloorLanguageSending: 'Floor language: {language}…',
  dashChannels: 'Channels',
  dashCarries: 'Carries',
  dashListeners: 'Listeners',
  dashLevel: 'Level',
  dashDelay: 'Delay p50 / p99',
  dashDropped: 'Dropped',
  dashStreamListeners: '(+{n} on the stream)',
  dashBooths: 'Booths',
  dashBoothsEmpty: 'No booths yet: add interpreters below.',
  dashBoothTitle: '{language} booth',
  dashHelp: 'HELP — the {booth} booth asks for help',
  dashHelpAt: 'at {time} ({seconds} s ago)',
  dashHelpAck: 'Acknowledge',
  dashHelpTitle: 'HELP',
  dashHelpShort: 'ASKS FOR HELP',
  dashSlowDownFrom: 'The {booth} booth asks the speaker to slow down ({seconds} s ago)',
  dashSlowDownAgo: 'SLOW DOWN · {seconds} s ago',
  dashCoughing: 'COUGH — muted',
  dashOnMic: 'On mic: {name}',
  dashOnMicCoughing: 'On mic: {name} (holding the cough key)',
  dashNobodyOnMic: 'Nobody on mic',
  dashHandoverRequested: 'Handover requested by {name}',
  dashHandoverAccepted: 'Handover accepted by {name}',
  dashSourceFloor: 'Source: floor',
  dashSourceRelay: 'Source: relay from the {language} booth',
  dashHearsFloor: 'hears the floor',
  dashHearsFloorIn: 'hears the floor ({language})',
  dashHearsRelay: 'hears {language}, relay depth {depth}',
  dashBoothListeners: 'Listeners on this channel: {n}',
  dashInterpreters: 'Interpreters',
  dashOnline: 'online',
  dashOffline: 'offline',
  dashLive: 'on mic',
  dashNoInterpreters: 'No interpreter in this booth.',
  dashChat: 'Chat',
  dashChatWith: 'Chat with the {language} booth',
  dashChatPlaceholder: 'Message to the booth',
  dashChatSend: 'Send',
  dashChatYou: 'You',
  dashChatNotSent: 'Not sent: no connection to the server.',
  dashChatToPartners: 'partners',
  dashChatEmpty: 'No messages.',
  dashChatUnread: '{n} new',
  dashManage: 'Interpreters and their console links',
  dashName: 'Name',
  dashBoothLabel: 'Booth',
  dashStatus: 'Status',
  dashConsole: 'Console link',
  dashActions: 'Actions',
  dashAdd: 'Add interpreter',
  dashNameMissing: 'Enter the interpreter’s name.',
  dashNoInterpretersYet: 'No interpreters yet. Each one gets a personal link that opens their booth’s console.',
  dashDelete: 'Delete',
  dashDeleteNamed: 'Delete {name}',
  dashDeleteConfirm: '{name} will be disconnected and their link will stop working. Delete?',
  dashCopy: 'Copy link',
  dashCopied: 'Copied',
  dashCopyFailed: 'Could not copy: select the link',
  dashKey: 'key {key}',
  'dashStatus.live': 'ON AIR',
  'dashStatus.online': 'online',
  'dashStatus.offline': 'offline',
  dashCards: 'Print place cards',
  dashCardsTitle: 'Place cards',
  dashCardsHint: 'One card per channel, each with its own QR code: scanning it opens that channel directly. Two cards per A4 page; cut along the dashed line.',
  dashCardsPin: 'Print the PIN on the cards',
  dashPrint: 'Print',
  dashBack: 'Back to the dashboard',
  // Place cards (each in its channel's language).
  cardListen: 'Interpretation on your phone',
  cardFloor: 'The speaker’s own voice, without interpretation',
  cardSteps: 'Scan the code with your phone’s camera and press Listen. Use earphones.',
  cardPin: 'PIN {pin}',
  cardQrAlt: 'QR code of {url}',
};

const ru = {
  uiLanguage: 'Язык страницы',
  noscript: 'Для этой страницы нужен JavaScript.',
  joinTitle: 'Подключиться к мероприятию',
  joinCodeLabel: 'Код мероприятия',
  joinCodeHint: '6 букв и цифр — на вашей карточке или под QR-кодом',
  pinLabel: 'PIN-код',
  pinHint: 'Для этого мероприятия нужен PIN-код. Спросите у организатора.',
  joinButton: 'Подключиться',
  joining: 'Подключение…',
  codeInvalid: 'Код состоит из 6 символов: латинские буквы и цифры, кроме 0, O, 1, I и L.',
  pinMissing: 'Введите PIN-код мероприятия.',
  changeEvent: 'Другое мероприятие',
  meetingCode: 'Код {code}',
  channel: 'Канал',
  floor: 'Оригинал',
  floorHint: 'голос выступающего без перевода',
  listen: 'Слушать',
  stop: 'Остановить',
  volume: 'Громкость',
  earphonesHint: 'Используйте проводные наушники: Bluetooth заметно увеличивает задержку.',
  'status.idle': 'Нажмите «Слушать», чтобы начать.',
  'status.connecting': 'Подключение…',
  'status.connected': 'Подключено',
  'status.reconnecting': 'Связь потеряна — переподключение…',
  'status.error': 'Ошибка',
  'status.buffering': 'Подключено — ждём звук…',
  'status.suspended': 'Телефон приостановил звук — коснитесь экрана, чтобы продолжить.',
  'status.switching': 'Переключение на канал «{channel}»…',
  'carrying.floor': 'Оригинал',
  'carrying.floorNoInterpretation': 'Оригинал — перевода сейчас нет',
  'carrying.floorSameLanguage': 'Оригинал — выступающий говорит на языке этого канала',
  'carrying.interpreter': 'Переводчик',
  'carrying.relay': 'Релейный перевод через {language}',
  'carrying.machine': 'Машинный перевод',
  'carrying.unknown': 'Источник: {kind}',
  floorLive: 'Оригинал в эфире',
  floorSilent: 'Оригинал: тишина (микрофон выступающего не подключён)',
  'path.webcodecs': 'Режим малой задержки',
  'path.pcm': 'Режим малой задержки (без сжатия, больше трафика)',
  'path.stream': 'Потоковый режим (задержка больше)',
  delay: 'Задержка {total} мс (сеть {net} + буфер {buffer}) · потеряно {lost} из {packets}',
  delayStream: 'В буфере {buffer} мс (плюс собственный буфер браузера)',
  streamNote: 'Режим с большей задержкой: страница открыта по ссылке http://, поэтому браузер воспроизводит буферизованный поток — на 1–3 секунды позже выступающего. Для малой задержки откройте ссылку этого мероприятия, которая начинается с https:// (спросите у организатора или отсканируйте QR-код на карточке).',
  streamLink: 'Открыть ссылку с малой задержкой',
  streamUnsupported: 'Этот браузер не может воспроизвести поток этой страницы. Откройте ссылку мероприятия, которая начинается с https://.',
  'err.unknown-event': 'Мероприятия с кодом {code} нет.',
  'err.unauthorized': 'Неверный PIN-код.',
  'err.unknown-channel': 'В этом мероприятии нет такого канала.',
  'err.network': 'Нет связи с сервером. Проверьте подключение к Wi-Fi и попробуйте ещё раз.',
  'err.audio': 'Браузер не смог включить звук: {message}',
  alertTitle: 'Смена языка',
  alertClose: 'Закрыть',
  alertFloorSwitch: ({ language, channel }) =>
    `Выступающий перешёл на ${languageName(language, 'ru')} — идёт перевод на ${languageName(channel, 'ru')}`,
  alertFloorSwitchUnknown: ({ channel }) =>
    `Выступающий перешёл на другой язык — идёт перевод на ${languageName(channel, 'ru')}`,
  alertFloorOwnLanguage: ({ language }) => `Выступающий перешёл на ${languageName(language, 'ru')}: звучит оригинал`,
  alertFloorSwitchNoInterpretation: ({ language, channel }) =>
    `Выступающий перешёл на ${languageName(language, 'ru')} — перевода на ${languageName(channel, 'ru')} пока нет, звучит оригинал`,
  floorTitle: 'Микрофон зала',
  floorLanguageTitle: 'Выступающий говорит на языке',
  floorLanguageSet: ({ language }) => `Язык зала: ${language}. Слушатели каналов, где звук изменился, получили оповещение.`,
  floorIntro: 'Передаёт звук со входа этого компьютера на мероприятие как оригинал (зал) — звук, с которого начинаются все каналы.',
  floorCodeLabel: 'Код мероприятия',
  tokenLabel: 'Токен зала',
  tokenHint: 'Выдаётся при создании мероприятия. Ссылка может передать его после #token=.',
  rememberToken: 'Запомнить токен на этом компьютере',
  deviceLabel: 'Аудиовход',
  deviceDefault: 'Вход по умолчанию',
  deviceUnnamed: 'Вход {n}',
  goOnAir: 'Выйти в эфир',
  stopAir: 'Остановить передачу',
  onAir: 'В ЭФИРЕ',
  offAir: 'НЕ В ЭФИРЕ',
  'floor.connecting': 'Подключение…',
  'floor.reconnecting': 'Связь потеряна — переподключение, не закрывайте страницу…',
  'floor.onAir': 'Звук зала передаётся слушателям.',
  'floor.idle': 'Передача не идёт.',
  levelTitle: 'Уровень входа',
  clip: 'ПЕРЕГРУЗКА',
  peakDb: 'Пик {db} dBFS',
  processingOff: 'Эхоподавление, шумоподавление и автоусиление выключены: звук уходит таким, каким приходит. Выставьте уровень на микшере так, чтобы пики оставались ниже −6 dBFS.',
  floorStats: 'В эфире {time} · {rate} Гц · {kbps} кбит/с · пропущено блоков {dropped}',
  'floorErr.floor-busy': 'Звук зала этого мероприятия уже передаёт другой источник.',
  'floorErr.unauthorized': 'Неверный токен зала.',
  'floorErr.unknown-event': 'Мероприятия с кодом {code} нет.',
  'floorErr.tokenMissing': 'Введите токен зала.',
  'floorErr.codeMissing': 'Введите код мероприятия.',
  'floorErr.notSecure': 'Странице микрофона нужно защищённое соединение: откройте её по ссылке https:// или на самом сервере по адресу http://localhost.',
  'floorErr.micDenied': 'Браузер не разрешил доступ к микрофону. Разрешите его для этого сайта и попробуйте снова.',
  'floorErr.noDevice': 'Аудиовход не найден. Подключите микрофон или линию с микшера и попробуйте снова.',
  'floorErr.refused': 'Сервер отклонил соединение (код закрытия {code}).',
  'floorErr.deviceBusy': 'Не удалось открыть аудиовход (может быть, его занимает другая программа): {message}',
  // Слушатель: что звучит на канале, и оригинал под переводом.
  'carrying.floorSpeaker': 'Оригинал — язык выступающего: {language}',
  'carrying.floorNoInterpretationSpeaker': 'Перевода сейчас нет — звучит оригинал, язык выступающего: {language}',
  floorMixTitle: 'Оригинал под переводом',
  floorMixToggle: 'Тихо слышать выступающего под голосом переводчика',
  floorMixLevel: 'Громкость оригинала',
  floorMixActive: 'Оригинал звучит тихо под переводом.',
  floorMixWaiting: 'Включится, когда на канале идёт перевод.',
  floorMixUnavailable: 'Нужен режим малой задержки (ссылка мероприятия, начинающаяся с https://).',
  // Панель организатора.
  dashTitle: 'Панель организатора',
  dashTokenLabel: 'Токен организатора',
  dashTokenHint: '«dragoman serve» выводит его при запуске; он также хранится в папке данных сервера.',
  dashTokenRemember: 'Запомнить токен на этом компьютере',
  dashTokenMissing: 'Введите токен организатора.',
  dashOpen: 'Открыть панель',
  dashPickTitle: 'Мероприятия на этом сервере',
  dashPickEmpty: 'Мероприятий пока нет. Создайте его командой «dragoman event create».',
  'dash.connecting': 'Подключение…',
  'dash.connected': 'На связи',
  'dash.reconnecting': 'Связь потеряна — переподключение…',
  'dash.stale': 'Сервер не присылает данных уже несколько секунд…',
  'dash.error': 'Отключено',
  'dashErr.unauthorized': 'Неверный токен организатора.',
  dashFloor: 'Зал (оригинал)',
  dashFloorLive: 'ЗАЛ В ЭФИРЕ',
  dashFloorSilent: 'ЗАЛА НЕТ — звук не передаётся',
  dashSilentLevel: 'тишина',
  dashFloorLanguageUnknown: 'Неизвестен',
  dashFloorLanguageNow: 'Язык зала: {language}.',
  dashFloorLanguageNotKnown: 'Язык зала не задан.',
  dashFloorLanguageSending: 'Язык зала: {language}…',
  dashChannels: 'Каналы',
  dashCarries: 'Что звучит',
  dashListeners: 'Слушатели',
  dashLevel: 'Уровень',
  dashDelay: 'Задержка сервера p50 / p99',
  dashDropped: 'Потеряно',
  dashStreamListeners: '(+{n} в потоке)',
  dashBooths: 'Кабины',
  dashBoothsEmpty: 'Кабин пока нет: добавьте переводчиков ниже.',
  dashBoothTitle: 'Кабина: {language}',
  dashHelp: 'НУЖНА ПОМОЩЬ — кабина: {booth}',
  dashHelpAt: 'в {time} ({seconds} с назад)',
  dashHelpAck: 'Принято',
  dashHelpTitle: 'ПОМОЩЬ',
  dashHelpShort: 'ПРОСИТ ПОМОЩИ',
  dashSlowDownFrom: 'Кабина: {booth} — просит выступающего говорить медленнее ({seconds} с назад)',
  dashSlowDownAgo: 'МЕДЛЕННЕЕ · {seconds} с назад',
  dashCoughing: 'КАШЕЛЬ — без звука',
  dashOnMic: 'У микрофона: {name}',
  dashOnMicCoughing: 'У микрофона: {name} (нажата кнопка кашля)',
  dashNobodyOnMic: 'Микрофон никто не включил',
  dashHandoverRequested: 'Смену запрашивает: {name}',
  dashHandoverAccepted: 'Смену принимает: {name}',
  dashSourceFloor: 'Источник: оригинал',
  dashSourceRelay: 'Источник: релей, кабина: {language}',
  dashHearsFloor: 'слышит оригинал',
  dashHearsFloorIn: 'слышит оригинал ({language})',
  dashHearsRelay: 'слышит: {language}, глубина релея {depth}',
  dashBoothListeners: 'Слушателей на канале: {n}',
  dashInterpreters: 'Переводчики',
  dashOnline: 'в сети',
  dashOffline: 'не в сети',
  dashLive: 'у микрофона',
  dashNoInterpreters: 'В этой кабине нет переводчиков.',
  dashChat: 'Чат',
  dashChatWith: 'Чат с кабиной: {language}',
  dashChatPlaceholder: 'Сообщение кабине',
  dashChatSend: 'Отправить',
  dashChatYou: 'Вы',
  dashChatNotSent: 'Не отправлено: нет связи с сервером.',
  dashChatToPartners: 'напарникам',
  dashChatEmpty: 'Сообщений нет.',
  dashChatUnread: 'новых: {n}',
  dashManage: 'Переводчики и ссылки на их пульты',
  dashName: 'Имя',
  dashBoothLabel: 'Кабина',
  dashStatus: 'Состояние',
  dashConsole: 'Ссылка на пульт',
  dashActions: 'Действия',
  dashAdd: 'Добавить переводчика',
  dashNameMissing: 'Введите имя переводчика.',
  dashNoInterpretersYet: 'Переводчиков пока нет. Каждый получит личную ссылку на пульт своей кабины.',
  dashDelete: 'Удалить',
  dashDeleteNamed: 'Удалить: {name}',
  dashDeleteConfirm: '{name}: пульт будет отключён, ссылка перестанет работать. Удалить?',
  dashCopy: 'Копировать ссылку',
  dashCopied: 'Скопировано',
  dashCopyFailed: 'Не удалось скопировать: выделите ссылку',
  dashKey: 'ключ {key}',
  'dashStatus.live': 'В ЭФИРЕ',
  'dashStatus.online': 'в сети',
  'dashStatus.offline': 'не в сети',
  dashCards: 'Печать карточек',
  dashCardsTitle: 'Карточки на столы',
  dashCardsHint: 'По карточке на канал, у каждой свой QR-код: он сразу открывает этот канал. Две карточки на лист A4; разрежьте по пунктиру.',
  dashCardsPin: 'Печатать PIN-код на карточках',
  dashPrint: 'Печать',
  dashBack: 'Назад к панели',
  cardListen: 'Синхронный перевод на вашем телефоне',
  cardFloor: 'Голос выступающего без перевода',
  cardSteps: 'Наведите камеру телефона на код и нажмите «Слушать». Используйте наушники.',
  cardPin: 'PIN-код {pin}',
  cardQrAlt: 'QR-код ссылки {url}',
};

const kk = {
  uiLanguage: 'Бет тілі',
  noscript: 'Бұл бетке JavaScript қажет.',
  joinTitle: 'Іс-шараға қосылу',
  joinCodeLabel: 'Іс-шара коды',
  joinCodeHint: '6 әріп пен цифр — картаңызда немесе QR-кодтың астында',
  pinLabel: 'PIN-код',
  pinHint: 'Бұл іс-шараға PIN-код қажет. Ұйымдастырушыдан сұраңыз.',
  joinButton: 'Қосылу',
  joining: 'Қосылуда…',
  codeInvalid: 'Код 6 таңбадан тұрады: латын әріптері мен цифрлар (0, O, 1, I және L қолданылмайды).',
  pinMissing: 'Іс-шараның PIN-кодын енгізіңіз.',
  changeEvent: 'Басқа іс-шара',
  meetingCode: 'Коды {code}',
  channel: 'Арна',
  floor: 'Түпнұсқа',
  floorHint: 'сөйлеушінің аудармасыз өз дауысы',
  listen: 'Тыңдау',
  stop: 'Тоқтату',
  volume: 'Дыбыс қаттылығы',
  earphonesHint: 'Сымды құлаққап қолданыңыз: Bluetooth кідірісті едәуір арттырады.',
  'status.idle': 'Бастау үшін «Тыңдау» түймесін басыңыз.',
  'status.connecting': 'Қосылуда…',
  'status.connected': 'Қосылды',
  'status.reconnecting': 'Байланыс үзілді — қайта қосылуда…',
  'status.error': 'Қате',
  'status.buffering': 'Қосылды — дыбысты күтудеміз…',
  'status.suspended': 'Телефон дыбысты тоқтатып қойды — жалғастыру үшін экранды түртіңіз.',
  'status.switching': '«{channel}» арнасына ауысуда…',
  'carrying.floor': 'Түпнұсқа',
  'carrying.floorNoInterpretation': 'Түпнұсқа — қазір аударма жоқ',
  'carrying.floorSameLanguage': 'Түпнұсқа — сөйлеуші осы арнаның тілінде сөйлеп тұр',
  'carrying.interpreter': 'Аудармашы',
  'carrying.relay': '{language} арқылы релейлік аударма',
  'carrying.machine': 'Машиналық аударма',
  'carrying.unknown': 'Дереккөз: {kind}',
  floorLive: 'Түпнұсқа эфирде',
  floorSilent: 'Түпнұсқа үнсіз (сөйлеушінің микрофоны қосылмаған)',
  'path.webcodecs': 'Кідірісі аз режим',
  'path.pcm': 'Кідірісі аз режим (сығылмаған дыбыс, трафик көбірек)',
  'path.stream': 'Ағын режимі (кідірісі көбірек)',
  delay: 'Кідіріс {total} мс (желі {net} + буфер {buffer}) · жоғалғаны {lost} / {packets}',
  delayStream: 'Буферде {buffer} мс (оған браузердің өз буфері қосылады)',
  streamNote: 'Кідірісі көбірек режим: бет http:// сілтемесімен ашылған, сондықтан браузер буферленген ағынды ойнатады — сөйлеушіден 1–3 секунд кеш. Кідірісті азайту үшін осы іс-шараның https:// деп басталатын сілтемесін ашыңыз (ұйымдастырушыдан сұраңыз немесе картаңыздағы QR-кодты сканерлеңіз).',
  streamLink: 'Кідірісі аз сілтемені ашу',
  streamUnsupported: 'Бұл браузер осы беттің ағынын ойната алмайды. Іс-шараның https:// деп басталатын сілтемесін ашыңыз.',
  'err.unknown-event': '{code} коды бар іс-шара жоқ.',
  'err.unauthorized': 'PIN-код қате.',
  'err.unknown-channel': 'Бұл іс-шарада мұндай арна жоқ.',
  'err.network': 'Серверге қосылу мүмкін емес. Wi-Fi байланысын тексеріп, қайталап көріңіз.',
  'err.audio': 'Браузер дыбысты қоса алмады: {message}',
  alertTitle: 'Тіл ауысты',
  alertClose: 'Жабу',
  alertFloorSwitch: ({ language, channel }) =>
    `Сөйлеуші енді ${kkForm(languageName(language, 'kk'), 'тілінде')} сөйлеп тұр — ${kkForm(languageName(channel, 'kk'), 'тіліне')} аударма жүріп жатыр`,
  alertFloorSwitchUnknown: ({ channel }) =>
    `Сөйлеуші басқа тілге ауысты — ${kkForm(languageName(channel, 'kk'), 'тіліне')} аударма жүріп жатыр`,
  alertFloorOwnLanguage: ({ language }) => `Сөйлеуші енді ${kkForm(languageName(language, 'kk'), 'тілінде')} сөйлеп тұр: түпнұсқа естіліп тұр`,
  alertFloorSwitchNoInterpretation: ({ language, channel }) =>
    `Сөйлеуші енді ${kkForm(languageName(language, 'kk'), 'тілінде')} сөйлеп тұр — ${kkForm(languageName(channel, 'kk'), 'тіліне')} аударма әзірге жоқ, түпнұсқа естіліп тұр`,
  floorTitle: 'Зал микрофоны',
  floorLanguageTitle: 'Сөйлеуші сөйлеп тұрған тіл',
  floorLanguageSet: ({ language }) => `Зал тілі: ${language}. Арнасы өзгерген тыңдаушыларға хабарланды.`,
  floorIntro: 'Осы компьютердің дыбыс кірісін іс-шараға түпнұсқа (зал) ретінде жібереді — барлық арна осы дыбыстан басталады.',
  floorCodeLabel: 'Іс-шара коды',
  tokenLabel: 'Зал токені',
  tokenHint: 'Іс-шара құрылғанда беріледі. Сілтеме оны #token= белгісінен кейін жеткізе алады.',
  rememberToken: 'Токенді осы компьютерде есте сақтау',
  deviceLabel: 'Дыбыс кірісі',
  deviceDefault: 'Әдепкі кіріс',
  deviceUnnamed: '{n}-кіріс',
  goOnAir: 'Эфирге шығу',
  stopAir: 'Жіберуді тоқтату',
  onAir: 'ЭФИРДЕ',
  offAir: 'ЭФИРДЕ ЕМЕС',
  'floor.connecting': 'Қосылуда…',
  'floor.reconnecting': 'Байланыс үзілді — қайта қосылуда, бетті жаппаңыз…',
  'floor.onAir': 'Зал дыбысы тыңдаушыларға жіберілуде.',
  'floor.idle': 'Дыбыс жіберілмей тұр.',
  levelTitle: 'Кіріс деңгейі',
  clip: 'АСА ЖҮКТЕМЕ',
  peakDb: 'Шың {db} dBFS',
  processingOff: 'Жаңғырықты басу, шуды басу және автоматты күшейту өшірулі: дыбыс келген күйінде жіберіледі. Микшердегі деңгейді шыңдар −6 dBFS-тен төмен болатындай етіп қойыңыз.',
  floorStats: 'Эфирде {time} · {rate} Гц · {kbps} кбит/с · өткізілген блоктар {dropped}',
  'floorErr.floor-busy': 'Бұл іс-шараның зал дыбысын басқа дереккөз жіберіп жатыр.',
  'floorErr.unauthorized': 'Зал токені қате.',
  'floorErr.unknown-event': '{code} коды бар іс-шара жоқ.',
  'floorErr.tokenMissing': 'Зал токенін енгізіңіз.',
  'floorErr.codeMissing': 'Іс-шара кодын енгізіңіз.',
  'floorErr.notSecure': 'Микрофон бетіне қауіпсіз байланыс қажет: оны https:// сілтемесімен немесе сервердің өз компьютерінде http://localhost мекенжайымен ашыңыз.',
  'floorErr.micDenied': 'Браузер микрофонды пайдалануға рұқсат бермеді. Осы сайтқа рұқсат беріп, қайталап көріңіз.',
  'floorErr.noDevice': 'Дыбыс кірісі табылмады. Микрофонды немесе микшер желісін қосып, қайталап көріңіз.',
  'floorErr.refused': 'Сервер қосылымды қабылдамады (жабу коды {code}).',
  'floorErr.deviceBusy': 'Дыбыс кірісін ашу мүмкін болмады (оны басқа бағдарлама пайдаланып тұрған шығар): {message}',
  // Тыңдаушы: арнада не естіледі, және аударма астындағы түпнұсқа.
  'carrying.floorSpeaker': 'Түпнұсқа — сөйлеуші тілі: {language}',
  'carrying.floorNoInterpretationSpeaker': 'Қазір аударма жоқ — түпнұсқа естіліп тұр, сөйлеуші тілі: {language}',
  floorMixTitle: 'Аударма астындағы түпнұсқа',
  floorMixToggle: 'Аудармашы дауысының астынан сөйлеушіні ақырын есту',
  floorMixLevel: 'Түпнұсқаның дыбыс деңгейі',
  floorMixActive: 'Түпнұсқа аударманың астында ақырын естіледі.',
  floorMixWaiting: 'Арнада аударма жүріп жатқанда қосылады.',
  floorMixUnavailable: 'Кідірісі аз режим қажет (іс-шараның https:// деп басталатын сілтемесі).',
  // Ұйымдастырушы панелі.
  dashTitle: 'Ұйымдастырушы панелі',
  dashTokenLabel: 'Ұйымдастырушы токені',
  dashTokenHint: '«dragoman serve» оны іске қосылғанда шығарады; ол сервердің деректер қалтасында да сақталады.',
  dashTokenRemember: 'Токенді осы компьютерде есте сақтау',
  dashTokenMissing: 'Ұйымдастырушы токенін енгізіңіз.',
  dashOpen: 'Панельді ашу',
  dashPickTitle: 'Осы сервердегі іс-шаралар',
  dashPickEmpty: 'Әзірге іс-шара жоқ. Оны «dragoman event create» командасымен құрыңыз.',
  'dash.connecting': 'Қосылуда…',
  'dash.connected': 'Байланыста',
  'dash.reconnecting': 'Байланыс үзілді — қайта қосылуда…',
  'dash.stale': 'Сервер бірнеше секунд бойы дерек жібермей тұр…',
  'dash.error': 'Ажыратылды',
  'dashErr.unauthorized': 'Ұйымдастырушы токені қате.',
  dashFloor: 'Зал (түпнұсқа)',
  dashFloorLive: 'ЗАЛ ЭФИРДЕ',
  dashFloorSilent: 'ЗАЛ ДЫБЫСЫ ЖОҚ — ештеңе жіберілмей тұр',
  dashSilentLevel: 'тыныштық',
  dashFloorLanguageUnknown: 'Белгісіз',
  dashFloorLanguageNow: 'Зал тілі: {language}.',
  dashFloorLanguageNotKnown: 'Зал тілі белгіленбеген.',
  dashFloorLanguageSending: 'Зал тілі: {language}…',
  dashChannels: 'Арналар',
  dashCarries: 'Не естіледі',
  dashListeners: 'Тыңдаушылар',
  dashLevel: 'Деңгей',
  dashDelay: 'Сервер кідірісі p50 / p99',
  dashDropped: 'Жоғалған',
  dashStreamListeners: '(+{n} ағында)',
  dashBooths: 'Кабиналар',
  dashBoothsEmpty: 'Әзірге кабина жоқ: төменде аудармашыларды қосыңыз.',
  dashBoothTitle: 'Кабина: {language}',
  dashHelp: 'КӨМЕК КЕРЕК — кабина: {booth}',
  dashHelpAt: '{time} ({seconds} с бұрын)',
  dashHelpAck: 'Қабылданды',
  dashHelpTitle: 'КӨМЕК',
  dashHelpShort: 'КӨМЕК СҰРАП ТҰР',
  dashSlowDownFrom: 'Кабина: {booth} — сөйлеушіден баяуырақ сөйлеуді сұрайды ({seconds} с бұрын)',
  dashSlowDownAgo: 'БАЯУЫРАҚ · {seconds} с бұрын',
  dashCoughing: 'ЖӨТЕЛ — дыбыссыз',
  dashOnMic: 'Микрофонда: {name}',
  dashOnMicCoughing: 'Микрофонда: {name} (жөтел түймесі басулы)',
  dashNobodyOnMic: 'Микрофон ешкімде қосулы емес',
  dashHandoverRequested: 'Ауысуды сұрап тұр: {name}',
  dashHandoverAccepted: 'Ауысуды қабылдап тұр: {name}',
  dashSourceFloor: 'Дереккөз: түпнұсқа',
  dashSourceRelay: 'Дереккөз: релей, кабина: {language}',
  dashHearsFloor: 'түпнұсқаны естиді',
  dashHearsFloorIn: 'түпнұсқаны естиді ({language})',
  dashHearsRelay: 'естиді: {language}, релей тереңдігі {depth}',
  dashBoothListeners: 'Арнадағы тыңдаушылар: {n}',
  dashInterpreters: 'Аудармашылар',
  dashOnline: 'желіде',
  dashOffline: 'желіде емес',
  dashLive: 'микрофонда',
  dashNoInterpreters: 'Бұл кабинада аудармашы жоқ.',
  dashChat: 'Чат',
  dashChatWith: 'Кабинамен чат: {language}',
  dashChatPlaceholder: 'Кабинаға хабарлама',
  dashChatSend: 'Жіберу',
  dashChatYou: 'Сіз',
  dashChatNotSent: 'Жіберілмеді: сервермен байланыс жоқ.',
  dashChatToPartners: 'әріптестерге',
  dashChatEmpty: 'Хабарлама жоқ.',
  dashChatUnread: 'жаңа: {n}',
  dashManage: 'Аудармашылар және олардың пульт сілтемелері',
  dashName: 'Аты',
  dashBoothLabel: 'Кабина',
  dashStatus: 'Күйі',
  dashConsole: 'Пульт сілтемесі',
  dashActions: 'Әрекеттер',
  dashAdd: 'Аудармашы қосу',
  dashNameMissing: 'Аудармашының атын енгізіңіз.',
  dashNoInterpretersYet: 'Әзірге аудармашылар жоқ. Әрқайсысы өз кабинасының пультін ашатын жеке сілтеме алады.',
  dashDelete: 'Жою',
  dashDeleteNamed: 'Жою: {name}',
  dashDeleteConfirm: '{name}: пульт ажыратылады, сілтеме жұмыс істемей қалады. Жоясыз ба?',
  dashCopy: 'Сілтемені көшіру',
  dashCopied: 'Көшірілді',
  dashCopyFailed: 'Көшірілмеді: сілтемені белгілеңіз',
  dashKey: 'кілт {key}',
  'dashStatus.live': 'ЭФИРДЕ',
  'dashStatus.online': 'желіде',
  'dashStatus.offline': 'желіде емес',
  dashCards: 'Карточкаларды басып шығару',
  dashCardsTitle: 'Үстелге арналған карточкалар',
  dashCardsHint: 'Әр арнаға бір карточка, әрқайсысының өз QR-коды бар: ол сол арнаны бірден ашады. A4 парағына екі карточка; пунктир бойымен кесіңіз.',
  dashCardsPin: 'Карточкаларға PIN-кодты басу',
  dashPrint: 'Басып шығару',
  dashBack: 'Панельге оралу',
  cardListen: 'Ілеспе аударма телефоныңызда',
  cardFloor: 'Сөйлеушінің аудармасыз өз дауысы',
  cardSteps: 'Телефон камерасын кодқа бағыттап, «Тыңдау» түймесін басыңыз. Құлаққап қолданыңыз.',
  cardPin: 'PIN-код {pin}',
  cardQrAlt: '{url} сілтемесінің QR-коды',
};

const TABLES = { en, ru, kk };

/** The languages the pages speak, each named in itself. */
export const UI_LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'ru', name: 'Русский' },
  { code: 'kk', name: 'Қазақша' },
];

const STORAGE_KEY = 'dragoman.ui-lang';
let current = 'en';
const listeners = new Set();

/** The stored choice, else the first of navigator.languages the pages speak, else English. */
export function detectLanguage() {
  const stored = load(STORAGE_KEY);
  if (stored && TABLES[stored]) return stored;
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  for (const tag of wanted) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (TABLES[primary]) return primary;
  }
  return 'en';
}

export function currentLanguage() {
  return current;
}

export function setLanguage(code, { remember = false } = {}) {
  if (!TABLES[code]) code = 'en';
  current = code;
  document.documentElement.lang = code;
  if (remember) save(STORAGE_KEY, code);
  for (const f of listeners) f(code);
}

/** Calls f(code) after every language change. */
export function onLanguageChange(f) {
  listeners.add(f);
}

/** The string for key in the current language (English when missing), with {name} filled from params. */
export function t(key, params = {}) {
  const value = TABLES[current][key] ?? en[key];
  if (value === undefined) return key;
  if (typeof value === 'function') return value(params);
  return value.replace(/\{(\w+)\}/g, (m, name) => (params[name] !== undefined && params[name] !== null ? String(params[name]) : m));
}

/** Fills [data-i18n] (text), [data-i18n-label] (aria-label) and [data-i18n-placeholder]. */
export function applyTranslations(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
}

/** Fills a <select> with the page languages and switches (and remembers) on change. */
export function bindLanguageSelect(select) {
  select.textContent = '';
  for (const { code, name } of UI_LANGUAGES) {
    const option = document.createElement('option');
    option.value = code;
    option.lang = code;
    option.textContent = name;
    select.append(option);
  }
  select.value = current;
  select.addEventListener('change', () => setLanguage(select.value, { remember: true }));
  onLanguageChange((code) => { select.value = code; });
}

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

/** A language's name in the UI language (lower case inside sentences for ru and kk). */
export function languageName(tag, ui = current) {
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

export function capitalize(s) {
  return s ? s.charAt(0).toLocaleUpperCase(current) + s.slice(1) : s;
}

/** The label of a channel: "Floor" or the language's name. */
export function channelLabel(channelId) {
  return channelId === 'floor' ? t('floor') : capitalize(languageName(channelId));
}

/** The string for key in the language `lang` (not the page's), e.g. for a printed card in its channel's language. */
export function translate(lang, key, params = {}) {
  const table = TABLES[lang] || en;
  const value = table[key] ?? en[key];
  if (value === undefined) return key;
  if (typeof value === 'function') return value(params);
  return value.replace(/\{(\w+)\}/g, (m, name) => (params[name] !== undefined && params[name] !== null ? String(params[name]) : m));
}
