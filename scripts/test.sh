#!/usr/bin/env bash
# The whole test suite, as the README and .ci/run call it: servers, build, types, lint, tests (vitest's
# unit and integration projects, then the faults project: docs/faults.md).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/ensure-services.sh
npm run build
npm run typecheck
npm run lint
mkdir -p reports
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest.json "$@" || status=$?
node scripts/test-summary.mjs reports/vitest.json || true
exit "$status"
