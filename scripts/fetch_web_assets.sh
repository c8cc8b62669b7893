#!/usr/bin/env bash
# Fetch the Leaflet files the map serves locally (static/vendor/), from the npm registry, and axe-core
# (static/vendor/axe-core/axe.min.js), which only the accessibility tests inject into pages: the app
# never links to it and ui/serve.py refuses to serve it. Run by `make` at setup; the app itself never loads anything from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=static/vendor
work=build/npm
rm -rf "$work" && mkdir -p "$work" "$dest"
packages=("leaflet@1.9.4" "leaflet-draw@1.0.4" "axe-core@4.14.1")
(cd "$work" && for p in "${packages[@]}"; do npm pack --silent "$p" >/dev/null; done)
for tarball in "$work"/*.tgz; do
  name=$(basename "$tarball" .tgz)
  mkdir -p "$work/$name" && tar -xzf "$tarball" -C "$work/$name"
done
rm -rf "$dest/leaflet" "$dest/leaflet-draw" "$dest/axe-core"
cp -r "$work"/leaflet-1.9.4/package/dist "$dest/leaflet"
cp -r "$work"/leaflet-draw-1.0.4/package/dist "$dest/leaflet-draw"
mkdir -p "$dest/axe-core" && cp "$work"/axe-core-4.14.1/package/{axe.min.js,LICENSE} "$dest/axe-core/"
touch "$dest/.complete"
echo "web assets in $dest: $(find "$dest" -type f | wc -l) files"
