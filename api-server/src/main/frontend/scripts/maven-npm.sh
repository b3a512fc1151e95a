#!/bin/sh
# Called by api-server/pom.xml (exec-maven-plugin): `maven-npm.sh ci` in generate-resources, `maven-npm.sh build` in
# process-resources. Several Maven builds of api-server may run at once on one checkout (engineers, CI, bin/demo):
# both steps hold one lock, so one build's `npm ci` never deletes node_modules under another build's vite.
# `npm ci` is skipped when node_modules was installed from this very package-lock.json (a stamp records its hash).
set -eu
cd "$(dirname "$0")/.."
step="$1"
exec 9>.maven-npm.lock
flock 9
case "$step" in
  ci)
    want="$(sha256sum package-lock.json | cut -d' ' -f1)"
    have="$(cat node_modules/.ecomcrm-lock-hash 2>/dev/null || true)"
    if [ "$want" != "$have" ]; then
      npm ci --no-audit --no-fund --prefer-offline
      echo "$want" > node_modules/.ecomcrm-lock-hash
    else
      echo "dashboard: node_modules matches package-lock.json, npm ci skipped"
    fi
    ;;
  build)
    npm run build
    ;;
  *)
    echo "usage: maven-npm.sh ci|build" >&2
    exit 2
    ;;
esac
