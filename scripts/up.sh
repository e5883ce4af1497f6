#!/usr/bin/env bash
# Brings the platform up locally: infrastructure, the dev identity provider, every service and worker,
# the gateway, the admin BFF and the web apps; waits for readiness and prints the URLs. Ctrl-C stops
# everything this script started (the infrastructure stays up).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

MERIDIAN_SETUP="${MERIDIAN_SETUP:-full}" bash scripts/setup.sh

logs="$REPO_ROOT/.run/logs"
mkdir -p "$logs"
pids=()

# Local development values (docs/design.md): one issuer URL for browser and services alike.
export OIDC_ISSUER="${OIDC_ISSUER:-http://localhost:8081/realms/meridian}"
export OIDC_AUDIENCE="${OIDC_AUDIENCE:-meridian-api}"
export RABBITMQ_URL="${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export LOG_LEVEL="${LOG_LEVEL:-info}"
pg() { echo "postgres://$1:$1-dev-password@127.0.0.1:5432/$2"; }

# Local development values of the variables the service manifest (services.ts) says a process needs; a database
# variable gets the development URL of the database the manifest names (role and database meridian_<name>).
dev_env() { # dev_env <name> <database or empty>
  [ -n "$2" ] && printf 'DATABASE_URL=%s ' "$(pg "$2" "meridian_$2")"
  case "$1" in
    orders) echo "ORDERS_STORE=postgres" ;;
    gateway) echo "GATEWAY_ROUTES=$REPO_ROOT/gateway/ocelot.json" ;;
    admin-bff) echo "ADMIN_CLIENT_SECRET=local-dev-only-admin-console-secret BFF_PUBLIC_URL=http://localhost:5106 ADMIN_APP_URL=http://localhost:4201/ GATEWAY_URL=http://127.0.0.1:8080" ;;
    *) echo ;;
  esac
}

# name|port|entry|extra environment: every process of the manifest, in its start order.
processes=()
while IFS='|' read -r name port entry database; do
  processes+=("$name|$port|$entry|$(dev_env "$name" "$database")")
done < <(bun -e 'import { services } from "./services.ts";
for (const s of services) console.log([s.name, s.port, s.entry, s.databases[0]?.name ?? ""].join("|"));') \
  || die "could not read the service manifest (services.ts)"
[ "${#processes[@]}" -gt 0 ] || die "the service manifest (services.ts) lists no process"

stop_all() {
  trap - INT TERM EXIT
  say "stopping ${#pids[@]} processes"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  say "stopped; logs are in $logs"
}
trap stop_all INT TERM EXIT

start() { # start <name> <port> <entry> <env...>
  local name="$1" port="$2" entry="$3"; shift 3
  if [ ! -f "$entry" ]; then warn "$name: $entry does not exist yet, skipped"; return; fi
  if port_open "$port"; then die "$name: port $port is already in use (another 'bun run up'?). Stop it, or set its PORT."; fi
  say "starting $name on :$port (log: .run/logs/$name.log)"
  env PORT="$port" OTEL_SERVICE_NAME="$name" "$@" bun "$entry" >"$logs/$name.log" 2>&1 &
  pids+=($!)
}

for entry in "${processes[@]}"; do
  IFS='|' read -r name port file extra <<<"$entry"
  # shellcheck disable=SC2086
  start "$name" "$port" "$file" $extra
  [ "$name" = "dev-idp" ] && [ -f "$file" ] && { wait_until 30 dev-idp port_open 8081 || die "dev-idp did not start: see $logs/dev-idp.log"; }
done

ready() { curl -fsS "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1 || { [ "$1" = 8081 ] && port_open 8081; }; }
for entry in "${processes[@]}"; do
  IFS='|' read -r name port file _ <<<"$entry"
  [ -f "$file" ] || continue
  if wait_until 60 "$name" ready "$port"; then say "$name ready"; else warn "$name is not ready after 60 s: see $logs/$name.log"; fi
done

# The demo catalogue (idempotent; stock of existing products is never reset). SEED=0 skips it.
if [ "${SEED:-1}" != "0" ]; then
  DATABASE_URL="$(pg inventory meridian_inventory)" bash scripts/seed.sh || warn "demo catalogue not seeded: see above, then run 'bun run seed'"
fi

if [ -f web/serve.sh ]; then
  say "starting the web apps (customer :4200, admin :4201; log: .run/logs/web.log)"
  bash web/serve.sh >"$logs/web.log" 2>&1 &
  pids+=($!)
fi

cat <<EOT

  Meridian is up.
    gateway           http://localhost:8080   (routes: gateway/ocelot.json)
    customer shop     http://localhost:4200   (sign in as alice / alice-dev-password)
    admin console     http://localhost:4201   (sign in as ada / ada-dev-password, through the BFF on :5106)
    dev identity      http://localhost:8081/realms/meridian
    services          orders :5101  inventory :5102  notifications :5103  audit :5104  worker :5105
                      each with /health/ready, /metrics and /openapi
    logs              $logs

  Ctrl-C stops everything started here.
EOT
wait
