#!/usr/bin/env bash
# Issue 10 item 5, "adapters out of the services": moves the adapters into libraries named for what they are and the
# stages into Gme.Pipeline, leaving the five services as thin hosts. Run from anywhere inside a clean checkout:
#   tools/restructure.sh            # restructure, update Gme.sln, then `dotnet build Gme.sln`
#   tools/restructure.sh --no-build # the same without the build
# It refuses to run twice (src/Gme.Pipeline exists) or on a dirty tree. Undo: git reset --hard && git clean -fd src tests
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

if [ -d src/Gme.Pipeline ]; then
    echo "restructure: src/Gme.Pipeline exists: already restructured" >&2
    exit 1
fi
if [ -n "$(git status --porcelain -- src tests bench Gme.sln README.md)" ]; then
    echo "restructure: src/, tests/, bench/, Gme.sln or README.md has uncommitted changes: commit or stash them first" >&2
    exit 1
fi

python3 tools/restructure/restructure.py

for p in Gme.Images Gme.Sources Gme.Gemini Gme.Onnx Gme.VectorStores.Embedded Gme.VectorStores.Qdrant Gme.Pipeline Gme.Search.Web; do
    dotnet sln Gme.sln add --solution-folder src "src/$p/$p.csproj" >/dev/null
done
git add -A src tests bench Gme.sln README.md

# Nothing may still declare or use an old namespace.
if git grep -nE '(^|[^.A-Za-z0-9_])Gme\.(Ingest|Embedder|Indexer)\.[A-Z]' -- src tests bench '*.cs' '*.csproj'; then
    echo "restructure: the lines above still use an old namespace" >&2
    exit 1
fi

if [ "${1:-}" != "--no-build" ]; then
    if ! dotnet build Gme.sln -nologo -v q 2>&1 | tee /tmp/restructure-build.log | grep -E " error |rror\(s\)"; then
        :
    fi
    if grep -qE "[1-9][0-9]* Error\(s\)| error " /tmp/restructure-build.log; then
        echo "restructure: the build failed (full log: /tmp/restructure-build.log)" >&2
        exit 1
    fi
    echo "restructure: done, Gme.sln builds. Review with git status / git diff --cached -M, then commit."
fi
