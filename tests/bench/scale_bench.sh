#!/bin/sh
# Topology scale: loader, planner, builder and teardown of the star topology (router + N hosts,
# N veths) for N = 99, 299, 999 hosts (BENCH_SCALE_NS): 100, 300 and 1,000 nodes (the most a
# scenario may have), one cell per host. Prints, per N, the medians
# of BENCH_REPS runs: validate (load + validate), plan (load + plan), and from `nscheck run
# --json`: setup and teardown, each also per node, and the growth factor per node against the
# smallest N (1.00 = linear). Needs root; runs every nscheck in the kit's sandbox.sh.
# Timing never fails it: it exits 1 only when a run was not all OK, 2 when something could not run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
KIT=${BENCH_KIT:-$root/../shared/bench}
NSCHECK=${NSCHECK:-$root/build/nscheck}
NS=${BENCH_SCALE_NS:-99 299 999}
REPS=${BENCH_REPS:-3}
[ "$(id -u)" = 0 ] || { echo "scale_bench: needs root" >&2; exit 2; }
[ -x "$NSCHECK" ] || { echo "scale_bench: no nscheck at $NSCHECK (make first)" >&2; exit 2; }
[ -x "$KIT/sandbox.sh" ] || { echo "scale_bench: no benchmark kit at $KIT" >&2; exit 2; }
WORK=$(mktemp -d /var/tmp/nscheck-scale.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", b - a }'; }

status=0
for n in $NS; do
  toml=$WORK/star-$n.toml
  python3 "$here/gen_star.py" "$n" star-setup > "$toml"
  rep=1
  while [ "$rep" -le "$REPS" ]; do
    t0=$(now); "$NSCHECK" validate "$toml" > /dev/null; t1=$(now)
    "$NSCHECK" plan "$toml" > /dev/null; t2=$(now)
    json=$WORK/run-$n-$rep.json
    if ! "$KIT/sandbox.sh" "$NSCHECK" run "$toml" --json "$json" --no-color > "$WORK/out" 2>&1; then
      echo "scale_bench: N=$n run $rep did not pass:" >&2; tail -5 "$WORK/out" >&2; status=1
    fi
    echo "$n $(elapsed "$t0" "$t1") $(elapsed "$t1" "$t2") $json" >> "$WORK/rows"
    rep=$((rep + 1))
  done
done

python3 - "$WORK/rows" <<'PY'
import json, statistics, sys
rows, phases = {}, {}
for line in open(sys.argv[1]):
    n, validate, plan, path = line.split()
    try:
        d = json.load(open(path))
    except (OSError, ValueError):
        continue
    rows.setdefault(int(n), []).append((float(validate), float(plan), d["setup_s"], d["teardown_s"]))
    for k, v in d.get("setup_phases", {}).items():
        phases.setdefault(int(n), {}).setdefault(k, []).append(v)
print("Topology scale (star: router + N hosts = N + 1 nodes, N veths, N cells), medians, seconds")
print(f"{'N':>6} {'validate':>9} {'plan':>8} {'setup':>8} {'teardown':>9} {'setup/node ms':>14} {'teardown/node ms':>17} {'growth setup/node':>18}")
base = None
for n in sorted(rows):
    med = [statistics.median(x[i] for x in rows[n]) for i in range(4)]
    per_setup, per_teardown = 1000 * med[2] / n, 1000 * med[3] / n
    base = base or per_setup
    print(f"{n:>6} {med[0]:>9.3f} {med[1]:>8.3f} {med[2]:>8.3f} {med[3]:>9.3f} {per_setup:>14.3f} {per_teardown:>17.3f} {per_setup / base:>18.2f}")
print("Set-up phases, medians, ms per node")
for n in sorted(phases):
    print(f"{n:>6} " + "  ".join(f"{k} {1000 * statistics.median(v) / n:.3f}" for k, v in phases[n].items()))
PY
exit "$status"
