# syntax=docker/dockerfile:1.7
# Every Bun process's image (the web apps have web/Dockerfile). Build from the repository root, naming the
# process with build args (compose.yml's build sections hold them for every service):
#   docker build --build-arg SERVICE=orders --build-arg WORKSPACE=svc/orders --build-arg PORT=5101 \
#     -t meridian/orders:dev .
#   docker build --build-arg SERVICE=inventory-worker --build-arg WORKSPACE=svc/inventory-worker \
#     --build-arg EXTRA_WORKSPACES=svc/inventory --build-arg PORT=5105 -t meridian/inventory-worker:dev .
#   docker build --target cli --build-arg SERVICE=notifications-console \
#     --build-arg WORKSPACE=svc/notifications-console -t meridian/notifications-console:dev .
# SERVICE: the default OTEL_SERVICE_NAME. WORKSPACE: the process's folder (its src/main.ts is the entry, which the
# image runs bundled).
# EXTRA_WORKSPACES: the other workspaces (besides the kit) it imports at run time, space-separated.
# PORT: the port a server listens on, exposes and health-checks (target `server`, the default).
ARG BUN_VERSION=1.4.5
ARG SERVICE
ARG WORKSPACE
ARG EXTRA_WORKSPACES=""
ARG PORT

# 1. Workspace manifests only: the dependency layer below stays cached until a package.json or bun.lock
#    changes (bun install --frozen-lockfile needs every workspace's manifest to match the lockfile).
FROM oven/bun:${BUN_VERSION}-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /manifests \
 && cp -r package.json bun.lock bunfig.toml patches /manifests/ \
 && find svc platform gateway bench k8s mesh e2e -maxdepth 2 -name package.json -not -path '*/node_modules/*' \
      -exec cp --parents {} /manifests/ \;

# 2. Production dependencies of this workspace (and the workspaces it uses) only; type packages and source
#    maps are dropped, nothing of them runs. /image gets the root store and the workspaces' node_modules.
FROM oven/bun:${BUN_VERSION}-slim AS deps
ARG WORKSPACE
ARG EXTRA_WORKSPACES
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN : "${WORKSPACE:?build arg WORKSPACE is required, e.g. svc/orders}" \
 && bun install --production --frozen-lockfile --filter "./${WORKSPACE}" \
 && rm -rf node_modules/.bun/typescript@* node_modules/.bun/@typescript+* node_modules/.bun/bun-types@* \
      node_modules/.bun/@types+* \
 && find node_modules/.bun -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete \
 && mkdir -p /image \
 && mv node_modules /image/ \
 && for ws in svc/kit "${WORKSPACE}" ${EXTRA_WORKSPACES}; do mkdir -p "/image/$ws" && mv "$ws/node_modules" "/image/$ws/"; done

# 3. Sources: the root manifests and tsconfig, the service manifest (services.ts: the console derives its list of
#    consuming services from it), the kit's sources, this workspace and its extra workspaces (the build context has
#    no tests and no node_modules, see .dockerignore).
FROM oven/bun:${BUN_VERSION}-slim AS sources
ARG SERVICE
ARG WORKSPACE
ARG EXTRA_WORKSPACES
WORKDIR /src
COPY . .
RUN : "${SERVICE:?build arg SERVICE is required, e.g. orders}" "${WORKSPACE:?build arg WORKSPACE is required}" \
 && test -f "${WORKSPACE}/src/main.ts" \
 && mkdir -p /image \
 && cp -a --parents package.json bunfig.toml tsconfig.json services.ts svc/kit/package.json svc/kit/src \
      "${WORKSPACE}" ${EXTRA_WORKSPACES} /image/

# 4. The bundle: the entry and everything it imports at run time in a few files (scripts/bundle.ts: `bun build
#    --target=bun --splitting`, lazy imports kept lazy), so a start reads those instead of transpiling and resolving
#    hundreds of modules; an import missing from the image tree fails the build here. Next to it goes what each
#    workspace holds besides its code and dependencies: the files a process reads at run time (drizzle/ migrations,
#    the gateway's ocelot.json), which the code finds from the workspace folder (svc/kit/src/app-files.ts).
FROM oven/bun:${BUN_VERSION}-slim AS bundle
ARG WORKSPACE
ARG EXTRA_WORKSPACES
WORKDIR /app
COPY --from=deps /image/ ./
COPY --from=sources /image/ ./
COPY scripts/bundle.ts /build/bundle.ts
RUN bun /build/bundle.ts "${WORKSPACE}" "/image/${WORKSPACE}/dist" \
 && for ws in "${WORKSPACE}" ${EXTRA_WORKSPACES}; do \
      mkdir -p "/image/$ws" \
      && find "$ws" -mindepth 1 -maxdepth 1 -not -name src -not -name node_modules -not -name '*.ts' -not -name tsconfig.json \
           -exec cp -a {} "/image/$ws/" \; ; \
    done

# 5. Runtime: distroless Bun (no shell, no package manager), non-root, read-only root filesystem friendly
#    (the transpiler cache is off and HOME is /tmp, the only place anything may be written). The working
#    folder is the workspace, so one entry (dist/main.js, the bundle) serves every process; there are no
#    sources and no node_modules, the bundle holds what runs.
FROM oven/bun:${BUN_VERSION}-distroless AS runtime
ARG SERVICE
ARG WORKSPACE
WORKDIR /app
ENV NODE_ENV=production \
    HOME=/tmp \
    BUN_RUNTIME_TRANSPILER_CACHE_PATH=0 \
    OTEL_SERVICE_NAME=${SERVICE}
COPY --from=bundle /image/ ./
WORKDIR /app/${WORKSPACE}
USER 10001:10001
ENTRYPOINT ["bun", "dist/main.js"]

# 6a. A command-line tool (a Kubernetes Job/CronJob): the command comes as arguments,
#     e.g. docker run --rm meridian/notifications-console queues
FROM runtime AS cli
CMD ["--help"]

# 6b. A server (the default target): listens on PORT on every interface; Docker's health check calls
#     /health/live with Bun's fetch on the port the process was given.
FROM runtime AS server
ARG PORT
ENV HOST=0.0.0.0 \
    PORT=${PORT}
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
