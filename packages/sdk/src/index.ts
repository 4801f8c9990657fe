// @easel/sdk: the typed client for Easel's /api/v1 (built in the developer-platform issue).
export {};
