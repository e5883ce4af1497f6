#!/usr/bin/env bash
# Packages the local (file://) subcharts: every service chart's meridian-lib, then the umbrella's
# subcharts. Usage: k8s/charts/build-deps.sh [charts-dir]   (default: the directory of this script).
# Needs helm (scripts/tools/helm.sh installs it into .tools/bin/helm).
set -euo pipefail
charts="$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")}" && pwd)"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
helm="${HELM:-$repo_root/.tools/bin/helm}"
[[ -x "$helm" ]] || helm="$(command -v helm)" || { echo "helm not found: run scripts/tools/helm.sh or set HELM" >&2; exit 1; }

for chart in "$charts"/*/; do
  chart="${chart%/}"
  name="$(basename "$chart")"
  [[ "$name" == "meridian" || ! -f "$chart/Chart.yaml" ]] && continue
  if grep -q '^dependencies:' "$chart/Chart.yaml"; then
    echo "charts: helm dependency build $name"
    "$helm" dependency build "$chart" >/dev/null
  fi
done
echo "charts: helm dependency build meridian"
"$helm" dependency build "$charts/meridian" >/dev/null
