#!/usr/bin/env bash
# Loads the demo catalogue (28 coffee-gear products with pictures) into the inventory database, idempotently:
# catalogue data is created or updated, stock is set only for products that did not exist yet.
# DATABASE_URL defaults to the local development inventory database; SEED=0 makes this a no-op.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

if [ "${SEED:-1}" = "0" ]; then say "SEED=0: demo catalogue not seeded"; exit 0; fi

export DATABASE_URL="${INVENTORY_DATABASE_URL:-${DATABASE_URL:-postgres://inventory:inventory-dev-password@127.0.0.1:5432/meridian_inventory}}"
say "seeding the demo catalogue into ${DATABASE_URL%%\?*}" | sed -E 's#//([^:/]+):[^@]*@#//\1:***@#'
bun svc/inventory/src/seed/main.ts \
  || die "seeding failed: is PostgreSQL up (bun run infra) and does the inventory database exist? Then run 'bun run seed' again."
