# Easel's production image: built on the full Node image, run on the slim one as the non-root `node` user.
#   docker build -t easel .
#   docker run -p 3000:3000 -v easel-data:/data easel     # embedded database in the volume
# With DATABASE_URL (and REDIS_URL) set, /data stays unused and any number of containers can run:
# see compose.yaml.

ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-trixie AS build
WORKDIR /app
# `npm install` rather than `npm ci`: the lockfile lists rollup's native package only for Linux
# x64/arm64 glibc, and `npm ci` refuses a lockfile without every platform's optional package
# (docs/decisions). `npm install` keeps every locked version and fetches the one this platform needs.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
# Build the SvelteKit app, then keep only what production needs (dependencies, not devDependencies).
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-trixie-slim
# Chromium draws the pictures of canvases published through the API (CHROMIUM_PATH); without it they
# get a placeholder until someone republishes from a browser. `docker build --build-arg WITH_CHROMIUM=true .`
ARG WITH_CHROMIUM=false
# DejaVu gives design-document PDFs Unicode text (without it they fall back to pdfkit's Latin-1 fonts).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && if [ "$WITH_CHROMIUM" = "true" ]; then apt-get install -y --no-install-recommends chromium fonts-liberation; fi \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# Root owns the application files, so the server cannot change its own code; it writes only to /data.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY --from=build /app/server ./server
COPY --from=build /app/src ./src
COPY --from=build /app/drizzle ./drizzle
# /data/assets exists in the image so a volume mounted there (compose.yaml) starts out owned by `node`.
RUN mkdir -p /data/assets && chown -R node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM stores every open document before exiting (up to 20 s): stop with `docker stop -t 30`.
CMD ["node", "server/index.ts"]
