// The page the server's canvas renderer opens in headless Chromium (never a person): client-only, no
// data of its own, no sign-in. It holds nothing secret; what it draws is what the renderer hands it.
export const ssr = false;
export const prerender = false;
