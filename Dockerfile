# syntax=docker/dockerfile:1
# Marketgate: the server (tRPC, REST/OpenAPI, MCP over HTTP, metrics) and the dashboard on one port.
#   docker build -t marketgate .
#   docker run --rm -p 8787:8787 marketgate
# MCP over stdio from the same image: docker run --rm -i marketgate node server/dist/mcp-stdio.js

ARG NODE_VERSION=20-bookworm-slim
ARG PNPM_VERSION=10.34.9

# ---- build: install every dependency, build market-core, the server and the web app ----
FROM node:${NODE_VERSION} AS build
ARG PNPM_VERSION
RUN npm install -g pnpm@${PNPM_VERSION}
WORKDIR /src
# manifests first so the dependency layer is cached until a manifest or the lockfile changes
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY packages/market-core/package.json packages/market-core/
COPY packages/client/package.json packages/client/
COPY apps/server/package.json apps/server/
COPY apps/web/package.json apps/web/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm exec turbo run build --filter=@marketgate/server... --filter=@marketgate/web \
 && pnpm --filter @marketgate/server deploy --legacy --prod /out/server \
 && cp -r apps/web/dist /out/web-dist

# ---- runtime: production dependencies and build output only, as an unprivileged user ----
FROM node:${NODE_VERSION} AS runtime
ENV NODE_ENV=production \
    MCP_HOST=0.0.0.0 \
    MCP_PORT=8787 \
    MCP_LOG_FORMAT=json
WORKDIR /app
# the server finds the dashboard at ../../web/dist from server/dist
COPY --from=build --chown=root:root /out/server/package.json ./server/package.json
COPY --from=build --chown=root:root /out/server/node_modules ./server/node_modules
COPY --from=build --chown=root:root /out/server/dist ./server/dist
COPY --from=build --chown=root:root /out/web-dist ./web/dist
USER node
EXPOSE 8787
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MCP_PORT||8787)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server/dist/main.js"]
