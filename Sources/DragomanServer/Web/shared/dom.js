// DOM helpers every page uses: find an element, set its text, make one.

/** The element with this id (the pages give an id to everything they update). */
export const $ = (id) => document.getElementById(id);

/** Sets an element's text only when it changed (no flicker, no needless screen-reader announcements). */
export function setText(element, text) {
  const value = text === null || text === undefined ? '' : String(text);
  if (element.textContent !== value) element.textContent = value;
}

/** document.createElement with a class, attributes and children (strings become text). */
export function el(tag, { className = '', attrs = {}, text = null } = {}, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : String(value));
  }
  if (text !== null) node.textContent = text;
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}
