# spert-serve in a container: the HTTP service over a model exported with spert-export.
#
#   docker build -t spert-serve .
#   docker run --rm -p 8080:8080 -v "$PWD/onnx-model:/model:ro" -e SPERT_API_KEY=change-me spert-serve
#   # extra flags after the image name replace CMD, e.g. docker run ... spert-serve --model /model --host 0.0.0.0 --workers 4 --threads 1
#   # (one worker thread per core the container gets; each holds its own copy of the model)
#
# The model is mounted, not baked in, so one image serves any model. Probes: /health/live and
# /health/ready; metrics: /metrics. SIGTERM (docker stop, Kubernetes) drains in-flight requests.
# Batch jobs use the same image: --entrypoint node ... apps/predict/dist/main.cjs (or worker-main.cjs).

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false CI=true
# Manifests first, so dependency layers are reused while only sources change.
COPY package.json package-lock.json .npmrc nx.json tsconfig.base.json tsconfig.json tsup.base.mjs jest.preset.cjs eslint.config.mjs ./
COPY packages ./packages
COPY apps ./apps
COPY tools ./tools
RUN npm ci --no-audit --no-fund \
 && npx nx run-many -t build -p @spert/serve-app @spert/predict-app --outputStyle=static \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf packages/*/src apps/*/src tools .nx

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "apps/serve/dist/main.cjs"]
CMD ["--model", "/model", "--host", "0.0.0.0", "--port", "8080"]
