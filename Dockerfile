# syntax=docker/dockerfile:1
# One image for every Sluice service: `docker run sluice start ingest|rules|delivery|gateway|all`.
# Build: docker build -t sluice:dev .

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install everything, generate the protobuf code, compile, then drop the dev dependencies
FROM ${NODE_IMAGE} AS build
# why: better-sqlite3 compiles its native addon from source when no prebuilt binary matches
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# why a cache mount: repeated builds reuse the npm cache without baking it into a layer
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json nest-cli.json buf.yaml buf.gen.yaml ./
COPY proto ./proto
COPY libs ./libs
COPY services ./services
COPY bin ./bin
COPY console ./console
# `npm run build` = buf generate (buf and ts-proto from node_modules, no network) + tsc + tsc-alias
# + vite build of the console into console/dist
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -f dist/.tsbuildinfo

# ---- runtime: no compilers, no dev dependencies, not root
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    SLUICE_DATA_DIR=/var/lib/sluice \
    SLUICE_HTTP_HOST=0.0.0.0
WORKDIR /app
# why root-owned files: the process (uid 1000) can read the code but not change it
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/console/dist ./console/dist
COPY examples ./examples
RUN mkdir -p /var/lib/sluice && chown 1000:1000 /var/lib/sluice
# the `node` user of the official image, by number so Kubernetes can check runAsNonRoot
USER 1000:1000
# gateway/embedded 4000, ingest 4001, rules 4002, delivery 4003 (health and /metrics on each); 1883
# is the embedded broker of `start all`
EXPOSE 4000 4001 4002 4003 1883
# why: `start all` binds 127.0.0.1 by default (a laptop install); in a container the published port
# must reach it
ENV SLUICE_HTTP_HOST=0.0.0.0
# why no shell or init wrapper: node is PID 1 and handles SIGTERM itself (graceful drain), and a
# shell in between would swallow the signal
ENTRYPOINT ["node", "bin/sluice.js"]
CMD ["start", "all"]
# why readiness, and the port from the environment: every service listens on SLUICE_HTTP_PORT
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SLUICE_HTTP_PORT||4000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
