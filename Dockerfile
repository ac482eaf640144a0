# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the full dependency set.
FROM node:22.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY commands ./commands
COPY jobs ./jobs
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies and the compiled code only, as a non-root user.
FROM node:22.19-bookworm-slim
ENV NODE_ENV=production OPS_PORT=9464
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node manifest.yaml ./
COPY --chown=node:node scenarios ./scenarios
USER node
EXPOSE 3000 9464
ENTRYPOINT ["node", "dist/src/bin/harbor-pilot.js"]
CMD ["start"]
