#!/usr/bin/env bash
# Publishes the benchmark self-contained for Linux x64 into .publish/bench (git-ignored): the
# folder runs on another Linux x64 machine with no .NET SDK or runtime installed. Copy it over
# and run e.g. `.publish/bench/WorkPool.Bench quick` or `... quick --sweep 1,2,4,8,16 --out DIR`.
# Extra arguments go to dotnet publish.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish bench/WorkPool.Bench -c Release -r linux-x64 --self-contained -o .publish/bench "$@"
echo "published: .publish/bench/WorkPool.Bench (run it with: .publish/bench/WorkPool.Bench quick)"
