#!/usr/bin/env bash
# The full test suite: formatting, vet, and every test with the race
# detector. Tests that need nginx, tinyproxy, dante, ffmpeg or chromium skip when the
# tool is missing, unless VDL_REQUIRE_TOOLS=1 (as in .ci/run), where they fail.
set -euo pipefail
cd "$(dirname "$0")"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt needed on:" >&2; echo "$unformatted" >&2; exit 1
fi
go vet ./...
CGO_ENABLED=0 go build -o /dev/null ./cmd/vdl   # the static binary builds
go test -race -count=1 -timeout 20m ./...
