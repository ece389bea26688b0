# syntax=docker/dockerfile:1

# Both stages use the same base image, so the better-sqlite3 binary compiled in the build
# stage matches the Node ABI and glibc of the runtime stage.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build

# Same version as packageManager in package.json.
ARG PNPM_VERSION=10.34.9

# CI=true keeps pnpm from waiting on prompts, because a build has no TTY.
ENV CI=true

# better-sqlite3 compiles with node-gyp when no prebuilt binary matches the platform.
RUN apt-get update \
	&& apt-get install -y --no-install-recommends python3 make g++ \
	&& rm -rf /var/lib/apt/lists/*

RUN npm install -g "pnpm@${PNPM_VERSION}"

WORKDIR /app

# Fetching from the lockfile alone keeps the download layer cached until the lockfile changes.
COPY package.json pnpm-lock.yaml ./
RUN pnpm fetch

# The prepare script (Paraglide messages, svelte-kit sync) needs the whole source tree.
COPY . .
RUN pnpm install --frozen-lockfile --offline

RUN pnpm build

# --ignore-scripts: without it pnpm reruns prepare, whose tools are devDependencies and
# are gone by then. The already compiled better-sqlite3 binary stays in place.
RUN pnpm prune --prod --ignore-scripts


FROM ${NODE_IMAGE} AS runtime

# tini runs as PID 1, so SIGTERM reaches Node and zombie processes get reaped. On SIGTERM
# adapter-node closes the server and the app closes the database.
RUN apt-get update \
	&& apt-get install -y --no-install-recommends tini \
	&& rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
	PORT=3000 \
	DATABASE_PATH=/data/case-ledger.db \
	MIGRATIONS_DIR=/app/drizzle

WORKDIR /app

# Files stay owned by root, so the app user can write only to /data.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY --from=build /app/drizzle ./drizzle

# The admin CLI runs TypeScript through tsx: `node --import tsx scripts/admin.ts <command>`.
# The modules it imports use relative paths only, so no tsconfig is needed to resolve them.
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/src/lib/server ./src/lib/server
COPY --from=build /app/src/lib/domain ./src/lib/domain

# A new named volume copies this directory, with its owner, from the image.
RUN mkdir /data && chown node:node /data
VOLUME /data

USER node

EXPOSE 3000

# Slim images have no curl, so the check uses Node's built-in fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
	CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1)).catch(() => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]

# The end-to-end tests start the app with the same command.
CMD ["node", "build"]
