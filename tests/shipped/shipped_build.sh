#!/usr/bin/env bash
# shipped_build.sh SOURCE BUILD WORK - what scripts/demo ships is built and works: scripts/build-pgo
# into BUILD (profile-guided: two builds and a training run; skipped when nothing changed), then
# the golden translations of every flow (tests/golden/run_golden_mapping.cmake) with that binary,
# byte for byte. The other tests use the plain Release build of the test tree.
set -euo pipefail
source="$1" build="$2" work="$3"
binary="$(EDIGATE_BUILD_JOBS=2 "$source/scripts/build-pgo" "$build")"
[[ -x "$binary" ]] || { echo "shipped_build: build-pgo gave no binary ('$binary')" >&2; exit 1; }
cmake -DEDIGATE="$binary" -DSOURCE="$source" -DWORK="$work" -P "$source/tests/golden/run_golden_mapping.cmake"
echo "shipped_build: the profile-guided $binary writes every golden translation"
