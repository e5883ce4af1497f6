#!/usr/bin/env bash
# Brings PostgreSQL, Redis and RabbitMQ to a usable state on a Debian machine, idempotently:
# running → use it; installed but stopped → start it; missing → install it from Debian's packages.
# Then creates each service's own database and user (one database per service).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_postgres() {
  if port_open 5432; then say "PostgreSQL: running on 127.0.0.1:5432"; else
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql; fi
    local version; version="$(ls /etc/postgresql | sort -V | tail -1)"
    say "PostgreSQL: starting cluster $version/main"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_until 30 postgres port_open 5432 || die "PostgreSQL did not start: see /var/log/postgresql/"
  fi
}

psql_admin() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "psql -v ON_ERROR_STOP=1 -qAt $(printf '%q ' "$@")"
  else psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; fi
}

ensure_databases() {
  # service user → database; the worker shares the inventory database with the inventory API.
  local pairs="orders:meridian_orders inventory:meridian_inventory audit:meridian_audit"
  for pair in $pairs; do
    local user="${pair%%:*}" db="${pair##*:}"
    if [ "$(psql_admin -c "select 1 from pg_roles where rolname='$user'")" != "1" ]; then
      say "PostgreSQL: creating user $user (local development: password '$user-dev-password')"
      psql_admin -c "create role \"$user\" login password '$user-dev-password'"
    fi
    if [ "$(psql_admin -c "select 1 from pg_database where datname='$db'")" != "1" ]; then
      say "PostgreSQL: creating database $db owned by $user"
      psql_admin -c "create database \"$db\" owner \"$user\""
    fi
  done
  say "PostgreSQL: databases meridian_orders, meridian_inventory, meridian_audit ready"
}

ensure_redis() {
  if port_open 6379; then say "Redis: running on 127.0.0.1:6379"; return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  say "Redis: starting"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/meridian.log
  wait_until 15 redis port_open 6379 || die "Redis did not start: see /var/log/redis/meridian.log"
}

ensure_rabbitmq() {
  if port_open 5672; then say "RabbitMQ: running on 127.0.0.1:5672"; return; fi
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
  say "RabbitMQ: starting (takes a few seconds)"
  as_root rabbitmq-server -detached
  wait_until 60 rabbitmq port_open 5672 || die "RabbitMQ did not start: see /var/log/rabbitmq/"
  wait_until 30 rabbitmq as_root rabbitmq-diagnostics -q check_running || warn "RabbitMQ is listening but not yet healthy"
}

ensure_postgres
ensure_databases
ensure_redis
ensure_rabbitmq
say "infrastructure ready: postgres://127.0.0.1:5432 redis://127.0.0.1:6379 amqp://127.0.0.1:5672"
