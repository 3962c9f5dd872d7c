#!/usr/bin/env bash
# Verify and export of a 1,000,000-entry trail through the offline command: seconds and peak memory.
# Not a test: run by hand, record the figures in docs/trail-benchmark.md. Usage: scripts/trail-benchmark.sh [COUNT]
set -euo pipefail
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
cd "$(dirname "$0")/.."
count=${1:-1000000}
work=$(mktemp -d /tmp/board-trail-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

dotnet build Board.Bench -c Release -o "$work/bin" -v quiet -nologo >/dev/null   # Board.Web comes with it
dll="$work/bin/Board.Web.dll"
measure() { # label, command…
  /usr/bin/time -f "$1: %e s elapsed, %U s user, %M KiB peak RSS, exit %x" "${@:2}" 2>>"$work/times" >/dev/null || true
  tail -1 "$work/times"
}

echo "generating $count entries…"
measure "generate" dotnet "$work/bin/Board.Bench.dll" generate --db "$work/bench.db" --count "$count"
ls -l "$work/bench.db" | awk '{printf "database: %.0f MB\n", $5/1048576}'
head=$(dotnet "$dll" audit head --db "$work/bench.db")
echo "head: $head"
hash=$(sed -E 's/.*hash=([0-9a-f]{64}).*/\1/' <<<"$head")

measure "verify" dotnet "$dll" audit verify --db "$work/bench.db"
measure "verify --head" dotnet "$dll" audit verify --db "$work/bench.db" --head "$hash" --head-seq "$count"
measure "export csv" dotnet "$dll" audit export --db "$work/bench.db" --format csv --out "$work/trail.csv"
measure "export jsonl" dotnet "$dll" audit export --db "$work/bench.db" --format jsonl --out "$work/trail.jsonl"
ls -l "$work/trail.csv" "$work/trail.jsonl" | awk '{printf "%s: %.0f MB\n", $9, $5/1048576}'
measure "export jsonl, one board" dotnet "$dll" audit export --db "$work/bench.db" --format jsonl --out "$work/board.jsonl" \
  --board "$(sed -n 2p "$work/trail.csv" | cut -d, -f6)"
