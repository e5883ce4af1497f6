# syntax=docker/dockerfile:1.7
# Admin PWA — image meridian/web-admin: the static Angular build served by unprivileged nginx on 8080.
# Build from the repository root:  docker build -f web/admin.Dockerfile -t meridian/web-admin:dev .
ARG NODE_VERSION=24.21.0
ARG NGINX_VERSION=1.29.3

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npx ng build admin --configuration production

# nginx-unprivileged: uid 101, port 8080. At start its entrypoint renders
# /etc/nginx/templates/default.conf.template with the environment into /tmp/default.conf, so the root
# filesystem can stay read-only (mount a tmpfs/emptyDir on /tmp).
FROM nginxinc/nginx-unprivileged:${NGINX_VERSION}-alpine-slim AS runtime
ENV NGINX_ENVSUBST_OUTPUT_DIR=/tmp \
    BFF_UPSTREAM=http://admin-bff:5106
COPY web/nginx.conf /etc/nginx/nginx.conf
COPY web/nginx-admin.conf /etc/nginx/templates/default.conf.template
COPY --from=build /web/dist/admin/browser /usr/share/nginx/html
USER 101
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health/live"]
