// The words of the wire protocol that the pages use, in one place: WebSocket close codes, error codes and message
// types. The source of truth is docs/protocol.md ("Errors" and each socket's section) and, for the codes,
// Sources/DragomanCore/Wire/ProtocolError.swift: keep the three in step.

/** WebSocket close codes. The server's refusals are 4000 + the HTTP status of their error code. */
export const CloseCode = Object.freeze({
  normal: 1000,
  // The page's own: it drops a connection that went quiet to open a new one at once (not a server refusal).
  restart: 4000,
  badRequest: 4400, // bad-request, bad-message
  unauthorized: 4401, // unauthorized
  forbidden: 4403, // forbidden, wrong-booth
  notFound: 4404, // unknown-event, unknown-channel, not-found
  busy: 4409, // floor-busy, relay-loop
  tooLarge: 4413, // too-large
  tooMany: 4429, // too-many
  internalError: 4500, // internal-error
});

/**
 * Refusals that retrying cannot cure (wrong token or key, no such event, not allowed): a page stops reconnecting.
 * 4409 is not here: a "busy" right after a drop is usually the page's own old connection, not yet gone.
 */
export const FINAL_CLOSE_CODES = Object.freeze(new Set([
  CloseCode.badRequest, CloseCode.unauthorized, CloseCode.forbidden, CloseCode.notFound,
]));

/** The HTTP status of each error code (ProtocolError.Code.httpStatus). */
const HTTP_STATUS = Object.freeze({
  'bad-request': 400,
  'bad-message': 400,
  unauthorized: 401,
  forbidden: 403,
  'wrong-booth': 403,
  'unknown-event': 404,
  'unknown-channel': 404,
  'not-found': 404,
  'floor-busy': 409,
  'relay-loop': 409,
  'too-large': 413,
  'too-many': 429,
  'internal-error': 500,
});

/** The close code that goes with an error code (docs/protocol.md, "Errors"); 0 for a code the page does not know. */
export function closeCodeOf(errorCode) {
  const status = HTTP_STATUS[errorCode];
  return status ? 4000 + status : 0;
}

/** The `type` of the JSON messages on the sockets, in both directions. */
export const MessageType = Object.freeze({
  // Every socket.
  error: 'error',
  chat: 'chat',
  signal: 'signal',
  // The listener's socket (/ws/listen).
  welcome: 'welcome',
  tune: 'tune',
  tuned: 'tuned',
  carrying: 'carrying',
  alert: 'alert',
  caption: 'caption',
  dropped: 'dropped',
  // The floor's socket (/ws/floor).
  publishing: 'publishing',
  // The interpreter console's socket (/ws/booth).
  boothWelcome: 'booth-welcome',
  boothState: 'booth-state',
  mic: 'mic',
  cough: 'cough',
  handover: 'handover',
  source: 'source',
  // The organizer dashboard's socket (/ws/dashboard).
  dashboard: 'dashboard',
  floorLanguage: 'floor-language',
});
