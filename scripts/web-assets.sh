#!/usr/bin/env bash
# Refresh the dashboard's vendored scripts from the npm registry (run by hand, commit the result).
# The product serves every asset itself — the team's network may be closed — so the minified
# builds and their licences live in src/dataflywheel/web/static/vendor/, with VERSIONS.txt
# naming each package, version and SHA-256.
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/dataflywheel/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() {  # package@version, file inside the package, name to serve
  (cd "$work" && npm pack --silent "$1" >/dev/null)
  local tgz; tgz=$(ls "$work"/*.tgz)
  mkdir -p "$work/x" && tar xzf "$tgz" -C "$work/x"
  cp "$work/x/package/$2" "$out/$3"
  cp "$work/x/package/LICENSE" "$out/$3.LICENSE" 2>/dev/null || true
  echo "$1 $2 $(sha256sum "$out/$3" | cut -d' ' -f1)" >> "$out/VERSIONS.txt"
  rm -rf "$work/x" "$tgz"
}
: > "$out/VERSIONS.txt"
fetch vega@5.33.1 build/vega.min.js vega.min.js
fetch vega-lite@5.23.0 build/vega-lite.min.js vega-lite.min.js
fetch vega-embed@6.29.0 build/vega-embed.min.js vega-embed.min.js
fetch vega-interpreter@1.2.1 build/vega-interpreter.min.js vega-interpreter.min.js
