#!/usr/bin/env bash
# Reruns every benchmark of the repository, one after the other, and rewrites the generated section
# of docs/benchmarks.md (between the markers "all.sh:begin" and "all.sh:end") with each one's
# summary lines, the command that printed them, the commit they came from and the date. Full
# outputs land in results/all-<timestamp>/. Nothing runs at the same time as another benchmark.
#   bench/all.sh                              # everything (about an hour on 2 cores)
#   ONLY="intake cold-start jmh" bench/all.sh  # some of them; the others keep their last figures
# The names: intake cold-start backlog stages client durability metrics postgres jmh.
# Only 127.0.0.1 is targeted; each script bounds its own load and stops only what it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
all=(intake cold-start backlog stages client durability metrics postgres jmh)
only=${ONLY:-${all[*]}}
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!docs/benchmarks.md' || echo "+uncommitted")
out="$root/results/all-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
command_of() {
    case $1 in
        intake) echo "bench/intake-bench.sh" ;;
        cold-start) echo "bench/scripts/cold-start.sh" ;;
        backlog) echo "bench/scripts/backlog-bench.sh" ;;
        stages) echo "bench/stages-bench.sh" ;;
        client) echo "bench/client-bench.sh" ;;
        durability) echo "bench/durability-bench.sh" ;;
        metrics) echo "bench/metrics-bench.sh" ;;
        postgres) echo "bench/postgres-bench.sh" ;;
        jmh) echo "bench/jmh.sh -wi 2 -i 3 -f 1" ;;
        *) echo "all.sh: unknown benchmark '$1' (one of: ${all[*]})" >&2; exit 2 ;;
    esac
}
# What of an output is its summary: the lines that carry a result.
summary() {
    grep -E '^(median|round|run [0-9]|engine throughput|ratio|RESULT|sqlite: due|memory: due|postgresql: due|[a-z.]*[A-Z][A-Za-z]*Bench\.|Benchmark |[a-z0-9 -]+:.*(req/s|jobs/s|ms|x))' "$1" \
        | grep -vE '^(WARNING|#)' | tail -40 || true
}
for name in $only; do
    cmd=$(command_of "$name")
    echo "all.sh: $name: $cmd" >&2
    started=$(date -u +%Y-%m-%dT%H:%MZ)
    if ! bash -c "$cmd" > "$out/$name.txt" 2>&1; then
        echo "all.sh: $name failed; its output: $out/$name.txt" >&2
        { echo "(failed: see the output)"; tail -5 "$out/$name.txt"; } > "$out/$name.summary"
    else
        summary "$out/$name.txt" > "$out/$name.summary"
    fi
    printf '%s\n' "$cmd" > "$out/$name.command"
    printf '%s\n' "$started" > "$out/$name.date"
done
# Rewrite the generated section: each benchmark's latest block, from this run or kept from before.
python3 - "$root/docs/benchmarks.md" "$out" "$commit" "$only" <<'PY'
import re, sys, os
doc, out, commit, only = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
order = ["intake", "cold-start", "backlog", "stages", "client", "durability", "metrics", "postgres", "jmh"]
text = open(doc).read()
begin, end = "<!-- all.sh:begin -->", "<!-- all.sh:end -->"
if begin not in text:
    text = text.rstrip("\n") + "\n\n## Latest figures of every benchmark: `bench/all.sh`\n\n" + begin + "\n" + end + "\n"
head, rest = text.split(begin, 1)
old, tail = rest.split(end, 1)
blocks = {m.group(1): m.group(0) for m in re.finditer(r"(?ms)^### `?([a-z-]+)`?\n.*?(?=^### |\Z)", old)}
for name in only:
    def read(ext):
        with open(os.path.join(out, name + "." + ext)) as f:
            return f.read().strip()
    blocks[name] = ("### %s\n\n`%s`, commit %s, %s:\n\n```text\n%s\n```\n\n"
                    % (name, read("command"), commit, read("date"), read("summary") or "(no summary lines; see the full output)"))
body = "\n" + "".join(blocks[n] for n in order if n in blocks)
open(doc, "w").write(head + begin + body + end + tail)
PY
echo "all.sh: docs/benchmarks.md rewritten (commit $commit); outputs in $out" >&2
