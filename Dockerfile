# GigGatek container image: `docker compose up` (docker-compose.yml) runs it with MariaDB.
# Build stage: every dependency, TypeScript compiled to dist/, then the dev tools removed.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# bcrypt, better-sqlite3 and sharp ship prebuilt binaries; the compilers are here for
# the platforms where they do not.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY seeds ./seeds
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: production dependencies, the compiled app, its views, public files and
# the one data file it reads from src/; runs as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    GG_ENV_FILE=var/container.env
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY views ./views
COPY public ./public
COPY src/accounts/common-passwords.txt ./src/accounts/common-passwords.txt
COPY deploy/docker-entrypoint.sh /usr/local/bin/giggatek-entrypoint
RUN mkdir -p var/uploads var/mail && chown -R node:node var
USER node
# Uploads, mail files (without SMTP_URL) and the generated secrets: keep them on a volume.
VOLUME ["/app/var"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["giggatek-entrypoint"]
# Migrate, then serve (the job worker runs inside unless RUN_WORKER=false); --max-semi-space-size: see src/lib/heap.ts.
CMD ["sh", "-c", "node dist/src/cli/migrate.js && exec node --max-semi-space-size=8 dist/src/server.js"]
