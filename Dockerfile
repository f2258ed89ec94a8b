# syntax=docker/dockerfile:1
# Klarna Partner Gateway: `docker build -t klarna-partner-gateway .`, then
# `docker run -p 4000:4000 klarna-partner-gateway` (embedded sandbox when no KLARNA_* URL is set).
# Stages: build (all dependencies, tsc to dist/), deps (production dependencies only), runtime
# (node, production node_modules, dist/ and openapi/: no TypeScript sources, tests or dev tools).
# Node 24, the active LTS (CI runs every test on it and on Node 20); override with
# `--build-arg NODE_IMAGE=node:20-bookworm-slim` for the older line.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: nothing that runs in production needs one (esbuild's, under tsx, is for `npm start`).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
# A young generation big enough that a request's data dies young: at 20 requests in flight, with
# Node's default semi-space (16 MB) V8 scavenged every ~12 Portfolio answers and copied every request
# still in flight each time. At 64 MB, CPU per Portfolio query (20 accounts) fell ~30% and stopped
# varying from process to process (the Dashboard's did not move), and the last delivery of a live
# event to 5,000 subscribers came sooner, for ~35-100 MB more RSS. `npm run start:prod` passes the same
# flags (a unit test keeps the two alike) and `npm run bench -- overhead|fanout` runs with them.
# Override with `docker run -e NODE_OPTIONS=...`.
ENV NODE_OPTIONS="--max-semi-space-size=64"
WORKDIR /app
# Owned by root, read-only to the `node` user the process runs as: the gateway writes no files.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
# Read at run time by dist/contracts/contract.js as ../../openapi/*.yaml.
COPY openapi ./openapi
COPY --from=build /app/dist ./dist
USER node
EXPOSE 4000
# No curl in slim images: node's own fetch. /health answers 200 while the process serves HTTP.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) closes WebSockets with 1001, stops pollers, ends subscriptions, closes Redis
# and HTTP, then exits 0; node runs as PID 1 and handles it itself (src/main.ts).
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
