// The speaker screen (/speaker/{code}#token=…): a clock, and "Slow down, please" for 10 s
// whenever a booth asks, in the language the speaker is speaking now (the floor language).
// It listens to the organizer dashboard's WebSocket, so it needs the organizer token (the one the
// dashboard remembered on this machine, or #token=… in the address).

import { MessageType } from '../shared/protocol.js';
import { load, save, takeTokenFromFragment } from '../shared/storage.js';

const TOKEN_KEY = 'dragoman.organizer-token';
const SHOWN_MS = 10_000;
const WORDS = {
  ru: 'Пожалуйста, говорите медленнее',
  kk: 'Баяуырақ сөйлеңізші',
  en: 'Please slow down',
};

const code = location.pathname.split('/').filter(Boolean)[1]?.toUpperCase() ?? '';
const screen = document.getElementById('screen');
const banner = document.getElementById('slow-down');
const status = document.getElementById('status');
const form = document.getElementById('token-form');
let floorLanguage = null;
let hideTimer = null;
let lastSignalAt = 0;

function tokenFromPage() {
  const fromHash = takeTokenFromFragment();
  if (fromHash) save(TOKEN_KEY, fromHash);
  return fromHash ?? load(TOKEN_KEY);
}

function tick() {
  document.getElementById('clock').textContent =
    new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function showSlowDown(at) {
  if (at <= lastSignalAt) return;
  lastSignalAt = at;
  const words = WORDS[floorLanguage] ?? WORDS.en;
  banner.textContent = words;
  banner.lang = WORDS[floorLanguage] ? floorLanguage : 'en';
  banner.hidden = false;
  clearTimeout(hideTimer);
  hideTimer = setTimeout(() => { banner.hidden = true; }, SHOWN_MS);
}

function connect(token) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/ws/dashboard/${code}?token=${encodeURIComponent(token)}`);
  let refused = false;
  socket.onmessage = (event) => {
    if (typeof event.data !== 'string') return;
    const message = JSON.parse(event.data);
    if (message.type === MessageType.dashboard) {
      screen.hidden = false;
      form.hidden = true;
      status.textContent = '';
      floorLanguage = message.floor?.language ?? null;
    } else if (message.type === MessageType.signal && message.kind === 'slow-down') {
      showSlowDown(message.at);
    } else if (message.type === MessageType.error && message.fatal) {
      refused = true;
      save(TOKEN_KEY, null);
      screen.hidden = true;
      form.hidden = false;
      document.getElementById('token-error').textContent = message.message;
    }
  };
  socket.onclose = () => {
    if (refused) return;
    status.textContent = '…';
    setTimeout(() => connect(token), 2000);
  };
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = document.getElementById('token').value.trim();
  save(TOKEN_KEY, token);
  connect(token);
});

tick();
setInterval(tick, 1000);
const token = tokenFromPage();
if (token) connect(token); else form.hidden = false;
