// The page the server's canvas renderer opens in headless Chromium (never a person): no data of its
// own, no sign-in, nothing secret; what it draws is what the renderer hands it. The server renders only
// its empty shell (tldraw is imported in the browser), so the shell can carry noindex and no-store.
export const prerender = false;
