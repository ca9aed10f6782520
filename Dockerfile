# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies, then drop them.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: compiled JavaScript and production dependencies, as a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# DATA_DIR (.data): the development token secret when no key is configured.
RUN install -d -o node -g node -m 0700 /app/.data
USER node
# gRPC, Connect/gRPC-Web/JSON (when CONNECT_PORT is set), Prometheus metrics
EXPOSE 50051 8080 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD ["node", "dist/interface/grpc/healthcheck.js"]
CMD ["node", "dist/main.js"]
