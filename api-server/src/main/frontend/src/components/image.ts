// A light illustration for empty states: an inline SVG, so no request leaves the app (CSP, offline demo).
export const EMPTY_IMAGE = 'data:image/svg+xml,' + encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="226" height="226" viewBox="0 0 226 226">'
  + '<circle cx="113" cy="113" r="100" fill="#f1f1f1"/><rect x="63" y="78" width="100" height="70" rx="8" '
  + 'fill="#e3e3e3"/><rect x="78" y="95" width="70" height="8" rx="4" fill="#cccccc"/><rect x="78" y="112" '
  + 'width="50" height="8" rx="4" fill="#cccccc"/></svg>');
