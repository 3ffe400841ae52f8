#!/usr/bin/env bash
# A consumer's project, as a test: pack poolcheck, install the tarball into a fresh project with
# only what a user installs, and check that
#   1. poolcheck alone brings no pool library, no pg and no tsx, runs no install script (npm prints
#      no lifecycle-script warning), checks its own pool from the CLI, and names a missing library;
#   2. with vitest, typescript, pg-pool and pg added, the project type-checks under `strict` and its
#      vitest files pass: its own small pool through poolProperties (the README's quickstart files),
#      and pg-pool through pgPoolAdapter({ Pool }) with the pg-pool it installed;
#   3. a planted bug in its pool fails its vitest file.
# It needs the npm registry, so it runs in .ci/run after `npm ci && npm test`, never in npm test.
# Exit 0 when all of it holds; 1 with what failed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/poolcheck-consumer.XXXXXX")"
trap 'rm -rf "$work"' EXIT
fail() { echo "consumer check: FAILED: $*" >&2; exit 1; }
step() { echo "consumer check: $*"; }
# The versions the repository itself is tested with, so the consumer's project is reproducible.
version() { node -p "require('$repo/node_modules/$1/package.json').version"; }
quiet=(--no-audit --no-fund --loglevel=warn)

step "packing poolcheck (prepack builds dist/)"
tarball="$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -1)"
[[ -f "$work/$tarball" ]] || fail "npm pack made no tarball"
tar -tzf "$work/$tarball" > "$work/files.txt"
grep -q '^package/dist/index.js$' "$work/files.txt" || fail "the tarball has no dist/index.js"

mkdir "$work/app" && cd "$work/app"
cat > package.json <<'JSON'
{ "name": "poolcheck-consumer", "version": "1.0.0", "private": true, "type": "module" }
JSON

step "installing poolcheck alone"
npm install --save-dev "${quiet[@]}" "$work/$tarball" > install.log 2>&1 || { cat install.log; fail "npm install of the tarball failed"; }
if grep -Eiq 'install-scripts|lifecycle|allowScripts|prepare:|postinstall' install.log; then cat install.log; fail "installing poolcheck printed a lifecycle-script warning"; fi
for pkg in pg pg-pool generic-pool tarn sequelize-pool tsx vitest; do
  [[ ! -e "node_modules/$pkg" ]] || fail "installing poolcheck alone installed $pkg"
done
[[ -e node_modules/pg-mem && -e node_modules/fast-check && -e node_modules/@sinonjs/fake-timers ]] || fail "poolcheck's own dependencies are missing"

step "poolcheck check on its own pool, with nothing else installed"
npx --no-install poolcheck check --runs 20 --seed 1 > own.log 2>&1 || { cat own.log; fail "poolcheck check failed on its own pool"; }
grep -q '^own: passed after 20 run(s)' own.log || { cat own.log; fail "poolcheck check printed no pass"; }

step "a missing pool library is named, exit 2, no stack"
set +e
npx --no-install poolcheck check --adapter tarn > tarn.log 2>&1
code=$?
set -e
[[ $code -eq 2 ]] || { cat tarn.log; fail "--adapter tarn without tarn exited $code, not 2"; }
grep -qF '`--adapter tarn` needs the tarn package: npm install --save-dev tarn' tarn.log || { cat tarn.log; fail "no message naming tarn"; }
! grep -q '^    at ' tarn.log || { cat tarn.log; fail "a stack trace was printed"; }

step "adding vitest, typescript, pg-pool and pg"
npm install --save-dev "${quiet[@]}" "vitest@$(version vitest)" "typescript@$(version typescript)" "pg-pool@$(version pg-pool)" "pg@$(version pg)" \
  "@types/pg-pool@$(version @types/pg-pool)" "@types/node@$(version @types/node)" > install2.log 2>&1 || { cat install2.log; fail "npm install of vitest, typescript, pg-pool and pg failed"; }

cp "$repo/docs/examples/quickstart/my-pool.ts" "$repo/docs/examples/quickstart/my-pool.poolcheck.ts" "$repo/docs/examples/quickstart/my-pool.poolcheck.test.ts" .
cp "$repo/docs/examples/pg-pool.poolcheck.test.ts" .
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "exactOptionalPropertyTypes": true,
    "skipLibCheck": false,
    "types": ["node"],
    "noEmit": true
  },
  "include": ["*.ts"]
}
JSON

step "type-checking under strict (poolcheck's own declarations included)"
npx --no-install tsc -p tsconfig.json > tsc.log 2>&1 || { cat tsc.log; fail "the consumer's project does not type-check"; }

step "vitest: the own small pool through poolProperties, pg-pool through pgPoolAdapter({ Pool })"
npx --no-install vitest run --reporter=verbose > vitest.log 2>&1 || { cat vitest.log; fail "the consumer's vitest files failed"; }
grep -q 'poolcheck: my pool' vitest.log && grep -q 'poolcheck: pg-pool' vitest.log || { cat vitest.log; fail "the vitest output names neither pool"; }

step "a planted bug in the consumer's pool fails its vitest file"
sed -i 's/this.options.idleMs)/this.options.idleMs + 1)/' my-pool.ts
grep -q 'this.options.idleMs + 1)' my-pool.ts || fail "could not plant the bug"
set +e
npx --no-install vitest run my-pool.poolcheck.test.ts > planted.log 2>&1
code=$?
set -e
[[ $code -ne 0 ]] || { cat planted.log; fail "a pool whose idle timer is 1 ms late passed"; }
grep -q 'outlived' planted.log || { cat planted.log; fail "the planted bug failed, but not as outlived"; }

step "passed"
