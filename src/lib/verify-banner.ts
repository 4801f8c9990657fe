// The "Verify your email address" banner of the app layout: the cookie that remembers it was dismissed.
export const VERIFY_BANNER_DISMISSED_COOKIE = 'easel_verify_banner_dismissed';

/** Dismissed for a week on this browser; it comes back while the address is still unverified. */
export const VERIFY_BANNER_DISMISS_SECONDS = 7 * 24 * 60 * 60;
