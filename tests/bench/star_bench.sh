#!/bin/bash
# star_bench.sh [N...]   (default: 10 50 100 250; run as root)
#
# nscheck against the benchmark kit's floor and reference peers on the star topology
# (../../../shared/bench/README.md), same machine, same run, runs interleaved:
#
#   for each N, REPS times, for SCEN in star star-fwdoff:
#     nscheck run (scenario from gen_star.py) in a fresh sandbox.sh: wall, peak RSS, --json phases
#     run_peers.sh N SCEN floor ip_par [ip_fasti1]
#
# then the seed scenario scenarios/004_router_forwarding.toml, and the issue's targets.
# Prints medians; timing is never a failure. Exit status: 0 done, 1 a mismatch (nscheck's or a
# peer's: that figure does not count), 2 something could not run.
#
# Environment:
#   BENCH_REPS=3       runs per (N, SCEN) and tool
#   BENCH_SLOW=1       0: skip ip_fasti1 (it runs only for N <= 100 anyway; ~12 s at N=100, ~32 s fwdoff)
#   BENCH_KIT=DIR      the kit (default: ../../../shared/bench from this folder, i.e. next to the repo)
#   NSCHECK=PATH       the nscheck binary (default: build/nscheck, as `make bench` builds it)
#   BENCH_KEEP=1       keep the work folder (scenarios, JSON reports, raw figures) under /var/tmp
set -uo pipefail

# The whole script is one function, read in full before it runs: editing this file (or checking
# out another version) while a long benchmark runs cannot change what the running one does.
main() {
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
KIT=${BENCH_KIT:-$HERE/../../../shared/bench}
REPS=${BENCH_REPS:-3}
SLOW=${BENCH_SLOW:-1}
NS_LIST=${*:-10 50 100 250}
SCENS="star star-fwdoff"
SEED=$REPO/scenarios/004_router_forwarding.toml

die() { echo "star_bench.sh: $*" >&2; exit 2; }

# ---- preconditions ----------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "needs root (namespaces, raw ICMP): sudo $0 $*"
if [ ! -x "$KIT/run_peers.sh" ] || [ ! -x "$KIT/sandbox.sh" ]; then
  die "benchmark kit not found at $KIT (run_peers.sh, sandbox.sh); set BENCH_KIT=DIR"
fi
KIT=$(cd "$KIT" && pwd)
command -v python3 >/dev/null || die "needs python3"
case $REPS in '' | *[!0-9]* | 0) die "BENCH_REPS must be a positive integer, not '$REPS'" ;; esac
for n in $NS_LIST; do
  case $n in '' | *[!0-9]* | 0) die "N must be a positive integer, not '$n'" ;; esac
done
if [ -z "${NSCHECK:-}" ]; then
  # the benchmark's own build first (cmake -B build-bench), then make's (make bench builds build/)
  for c in "$REPO/build/nscheck"; do
    if [ -x "$c" ]; then NSCHECK=$c; break; fi
  done
fi
if [ -z "${NSCHECK:-}" ] || [ ! -x "$NSCHECK" ]; then
  die "nscheck binary not found; build it (cmake -S $REPO -B $REPO/build-bench && cmake --build $REPO/build-bench --target nscheck) or set NSCHECK=PATH"
fi
NSCHECK=$(cd "$(dirname "$NSCHECK")" && pwd)/$(basename "$NSCHECK")

# peak RSS of the whole sandboxed process tree (the largest process: nscheck), then the minor page
# faults of the tree: on a VM with shadow page tables each costs tens of microseconds, so memory
# touched is time spent (see README.md)
if /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
  RSS_TOOL="GNU time"
  rss_run() { local out=$1; shift; /usr/bin/time -f '%M %R' -o "$out" "$@"; }
else
  RSS_TOOL="python3 getrusage"
  rss_run() {
    local out=$1; shift
    python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%d %d\n" % (u.ru_maxrss, u.ru_minflt))
sys.exit(rc)' "$out" "$@"
  }
fi

# not /tmp: the sandbox mounts its own, and nscheck writes its JSON from inside
WORK=$(mktemp -d /var/tmp/nscheck-bench.XXXXXX) || die "cannot create a work folder under /var/tmp"
cleanup() { if [ "${BENCH_KEEP:-0}" = 1 ] || [ "${KEEP_WORK:-0}" = 1 ]; then echo "work folder kept: $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
RAW=$WORK/raw.tsv   # tool N scen rep wall rss_mib setup probe teardown mismatches status stage_s deadline_ms silent faults
                    # stage_plan_s stage_probe_s (the phases of the stage in stage_s)
: >"$RAW"
PROBLEMS=0

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }

# Waits until the CPUs are idle (>= 90 % over 250 ms; at most 15 s) before a timed run: the
# kernel destroys the previous run's hundreds of namespaces in the background for seconds after
# that run has exited, and without this every tool would pay for the one run before it.
settle() {
  local deadline=$((SECONDS + 15)) a b
  while [ $SECONDS -lt $deadline ]; do
    a=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat)
    sleep 0.25
    b=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN{split(a, x, " "); split(b, y, " "); t = y[1] - x[1];
      exit !(t > 0 && (y[2] - x[2]) / t >= 0.9)}' && return 0
  done
  SETTLE_TIMEOUTS=$((SETTLE_TIMEOUTS + 1))
}
SETTLE_TIMEOUTS=0

# JSON report of nscheck -> "setup probe teardown mismatches result stage_s deadline_ms silent plan_s probe_s"
# (silent = deadlines, in s, of the stages where some cell timed out: silent drops)
nscheck_fields() {
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
st = d["stages"]
probe = sum(s["time_s"] or 0 for s in st)
silent = [s for s in st if any(c["observed"] == "NG" and c["reason"] == "timeout" for c in s["cells"])]
# the slowest silent-drop stage against its own deadline: the figure of the "deadline + 0.2 s" target
worst = max(silent, key=lambda s: s["time_s"] - s["deadline_ms"] / 1e3, default=None)
c = d["counts"]
print(d["setup_s"], probe, d["teardown_s"], c["mismatches"] + c["errors"] + c["stage_errors"], d["result"],
      worst["time_s"] if worst else "-", worst["deadline_ms"] if worst else "-",
      sum(s["deadline_ms"] for s in silent) / 1e3,
      worst.get("phases", {}).get("plan_s", "-") if worst else "-",
      worst.get("phases", {}).get("probe_s", "-") if worst else "-")
PY
}

# one nscheck run: TOOLNAME N SCEN REP SCENARIO.toml
run_nscheck() {
  local tool=$1 n=$2 scen=$3 rep=$4 toml=$5 tag="$1-$2-$3-$4"
  local json=$WORK/$tag.json t0 t1 rc wall rss faults f
  settle
  t0=$(now)
  rss_run "$WORK/$tag.rss" "$KIT/sandbox.sh" "$NSCHECK" run "$toml" --json "$json" --no-color \
    >"$WORK/$tag.out" 2>&1
  rc=$?
  t1=$(now)
  wall=$(elapsed "$t0" "$t1")
  rss=$(awk '/^[0-9]+ [0-9]+$/{printf "%.1f", $1/1024}' "$WORK/$tag.rss" 2>/dev/null)
  faults=$(awk '/^[0-9]+ [0-9]+$/{print $2}' "$WORK/$tag.rss" 2>/dev/null)
  if [ -s "$json" ] && f=$(nscheck_fields "$json"); then
    local setup probe teardown bad result stage_s deadline silent plan_s probe_s
    read -r setup probe teardown bad result stage_s deadline silent plan_s probe_s <<<"$f"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$n" "$scen" "$rep" "$wall" \
      "${rss:--}" "$setup" "$probe" "$teardown" "$bad" "$result" "$stage_s" "$deadline" "$silent" "${faults:--}" \
      "$plan_s" "$probe_s" >>"$RAW"
    if [ "$bad" != 0 ]; then
      echo "!! $tool N=$n $scen rep $rep: exit $rc, $bad mismatches/errors; what nscheck printed on the failing cells:" >&2
      grep -E 'MISMATCH|harness error|stage error' "$WORK/$tag.out" | head -n 40 >&2
      KEEP_WORK=1
    fi
    rm -f "$json"
    [ "$bad" = 0 ] && rm -f "$WORK/$tag.out"
  else
    echo "!! $tool N=$n $scen rep $rep: nscheck exit $rc and no JSON report; its last lines:" >&2
    tail -n 15 "$WORK/$tag.out" >&2
    printf '%s\t%s\t%s\t%s\t%s\t%s\t-\t-\t-\t-\terror\t-\t-\t-\t%s\t-\t-\n' "$tool" "$n" "$scen" "$rep" "$wall" \
      "${rss:--}" "${faults:--}" >>"$RAW"
    PROBLEMS=1
    KEEP_WORK=1
  fi
  rm -f "$WORK/$tag.rss"
}

# the peers: N SCEN REP PEER, each run alone after settle
run_kit_peer() {
  local n=$1 scen=$2 rep=$3 out rc
  shift 3
  settle
  out=$("$KIT/run_peers.sh" "$n" "$scen" "$@" 2>"$WORK/peers.err")
  rc=$?
  printf '%s\n' "$out" | python3 -c '
import json, sys
n, scen, rep = sys.argv[1:4]
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"):
        continue
    d = json.loads(line)
    print("\t".join(str(x) for x in (d.get("peer", "?"), n, scen, rep, d["wall"], "-", d["setup"], d["probe"],
                                     d["teardown"], d["mismatches"], "ok", "-", "-", "-")))
' "$n" "$scen" "$rep" >>"$RAW"
  if [ $rc -ne 0 ]; then
    echo "!! run_peers.sh $n $scen $* exited $rc:" >&2
    tail -n 10 "$WORK/peers.err" >&2
    PROBLEMS=1
  fi
}

echo "nscheck star benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPUs"
echo "  nscheck:  $NSCHECK (built $(date -u -r "$NSCHECK" '+%Y-%m-%d %H:%M UTC'); repo now at $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo 'no git'))"
echo "  kit:      $KIT"
echo "  N:        $NS_LIST; scenarios: $SCENS; $REPS runs each, interleaved; peak RSS by $RSS_TOOL"
echo "  load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the start: other work on the machine skews absolutes"
echo "  deadline: 200 ms in every nscheck scenario (the floor's FLOOR_TIMEOUT_MS, the peers' fping -t200)"
echo "  settle:   every timed run starts once the CPUs are >= 90 % idle (the previous run's namespaces destroyed)"
echo

for n in $NS_LIST; do
  for scen in $SCENS; do
    python3 "$HERE/gen_star.py" "$n" "$scen" >"$WORK/$scen-$n.toml" || die "gen_star.py $n $scen failed"
    "$NSCHECK" validate "$WORK/$scen-$n.toml" >/dev/null || die "nscheck validate refused gen_star.py $n $scen"
  done
  peers="floor ip_par"
  [ "$SLOW" != 0 ] && [ "$n" -le 100 ] && peers="$peers ip_fasti1"
  for rep in $(seq 1 "$REPS"); do
    for scen in $SCENS; do
      printf '  N=%-4s %-12s run %s/%s: nscheck, %s\n' "$n" "$scen" "$rep" "$REPS" "$peers" >&2
      run_nscheck nscheck "$n" "$scen" "$rep" "$WORK/$scen-$n.toml"
      for peer in $peers; do run_kit_peer "$n" "$scen" "$rep" "$peer"; done
    done
  done
done
if [ -f "$SEED" ]; then
  for rep in $(seq 1 "$REPS"); do
    printf '  seed 004_router_forwarding run %s/%s, and the sandbox alone\n' "$rep" "$REPS" >&2
    run_nscheck seed004 3 seed "$rep" "$SEED"
    # the sandbox's own start-up and exit (`sandbox.sh true`): in every wall above, not nscheck's
    settle
    t0=$(now)
    "$KIT/sandbox.sh" true
    printf 'sandbox\t0\tnone\t%s\t%s\t-\t-\t-\t-\t0\tpass\t-\t-\t-\t-\n' "$rep" "$(elapsed "$t0" "$(now)")" >>"$RAW"
  done
else
  echo "!! $SEED not found: the silent-drop seed figure is skipped" >&2
fi
echo >&2

# ---- the table and the targets -------------------------------------------------------------
python3 - "$RAW" "$NS_LIST" <<'PY'
import math, statistics, sys

raw, ns = sys.argv[1], [int(x) for x in sys.argv[2].split()]
rows = [l.rstrip("\n").split("\t") for l in open(raw) if l.strip()]
def num(x):
    try:
        return float(x)
    except ValueError:
        return math.nan
def pick(tool, n, scen, col):
    idx = {"wall": 4, "rss": 5, "setup": 6, "probe": 7, "teardown": 8, "mism": 9, "stage": 11, "deadline": 12,
           "silent": 13, "faults": 14, "stage_plan": 15, "stage_probe": 16}[col]
    return [num(r[idx]) for r in rows if r[0] == tool and r[1] == str(n) and r[2] == scen]
def med(tool, n, scen, col):
    v = [x for x in pick(tool, n, scen, col) if not math.isnan(x)]
    return statistics.median(v) if v else math.nan
def f(x, d=3):
    return "-" if math.isnan(x) else f"{x:.{d}f}"
def ratio(a, b):
    return "-" if math.isnan(a) or math.isnan(b) or b == 0 else f"{a / b:.2f}"
def worst_mism(tool, n, scen):
    v = pick(tool, n, scen, "mism")
    if not v:
        return math.nan
    return math.nan if any(math.isnan(x) for x in v) else max(v)

scens = ["star", "star-fwdoff"]
head = ("N", "SCEN", "wall", "setup", "probe", "tdown", "rest", "RSS MiB", "faults", "mism", "floor", "ip_par", "ip_fasti1",
        "ns/floor", "par/ns", "fasti1/ns")
print("Medians, seconds (wall = the whole sandboxed process, start to exit). nscheck: wall, its own --json")
print("phases (setup, probe = sum of stage times, teardown), rest = wall - phases (start-up, scenario load,")
print("reports, exit), peak RSS, minor page faults, mismatches (worst run). Peers: wall. ns = nscheck.")
print()
table = [head]
for n in ns:
    for s in scens:
        w = med("nscheck", n, s, "wall")
        su, pr, td = (med("nscheck", n, s, c) for c in ("setup", "probe", "teardown"))
        fl, par, fi = (med(p, n, s, "wall") for p in ("floor", "ip_par", "ip_fasti1"))
        m = worst_mism("nscheck", n, s)
        table.append((str(n), s, f(w), f(su), f(pr), f(td), f(w - su - pr - td), f(med("nscheck", n, s, "rss"), 1),
                      f(med("nscheck", n, s, "faults"), 0), "ERR" if math.isnan(m) else str(int(m)), f(fl), f(par), f(fi),
                      ratio(w, fl), ratio(par, w), ratio(fi, w)))
widths = [max(len(r[i]) for r in table) for i in range(len(head))]
for i, r in enumerate(table):
    print("  ".join(c.rjust(widths[j]) if j != 1 else c.ljust(widths[j]) for j, c in enumerate(r)))
    if i == 0:
        print("  ".join("-" * w for w in widths))

print()
print("The floor's own phases (medians, s), to compare with nscheck's setup / probe / teardown:")
for n in ns:
    for s in scens:
        print(f"  N={n:<4} {s:<12} floor setup {f(med('floor', n, s, 'setup'))}  probe {f(med('floor', n, s, 'probe'))}"
              f"  teardown {f(med('floor', n, s, 'teardown'))}   |  nscheck setup {f(med('nscheck', n, s, 'setup'))}"
              f"  probe {f(med('nscheck', n, s, 'probe'))}  teardown {f(med('nscheck', n, s, 'teardown'))}")

bad_peers = sorted({(r[0], r[1], r[2]) for r in rows if r[0] not in ("nscheck", "seed004") and num(r[9]) != 0})
if bad_peers:
    print()
    for p, n, s in bad_peers:
        print(f"  !! {p} N={n} {s}: a run had mismatches: its figure does not count")

print()
sw = med("seed004", 3, "seed", "wall")
sbx = med("sandbox", 0, "none", "wall")
silent = med("seed004", 3, "seed", "silent")
sst, sdl = med("seed004", 3, "seed", "stage"), med("seed004", 3, "seed", "deadline")
if not math.isnan(sw):
    print(f"Seed scenarios/004_router_forwarding.toml (3 stages, one of silent drops, deadline {f(sdl / 1e3, 1)} s):")
    print(f"  wall {f(sw)} s; wall - deadlines of silent-drop stages = {f(sw - silent)} s; "
          f"silent-drop stage {f(sst)} s = deadline + {f(sst - sdl / 1e3)} s; mismatches "
          f"{'ERR' if math.isnan(worst_mism('seed004', 3, 'seed')) else int(worst_mism('seed004', 3, 'seed'))}")
    print(f"  the sandbox alone (sandbox.sh true) {f(sbx)} s: nscheck's own wall - deadlines = {f(sw - silent - sbx)} s")

def verdict(ok):
    return "n/a " if ok is None else ("HOLDS" if ok else "MISSED")
print()
print("Targets (from the issue):")
seed_own = sw - silent - sbx
ok = None if math.isnan(seed_own) else seed_own < 0.15
print(f"  [{verdict(ok)}] seed 004, every stage, under 0.15 s + the deadline of its silent-drop stage (as "
      "`time nscheck run` sees it: the sandbox's start-up taken out): "
      + ("not measured" if ok is None else f"{f(sw - sbx)} s = {f(silent)} s + {f(seed_own)} s"))
for n in (100, 250):
    for s in scens:
        w, fl = med("nscheck", n, s, "wall"), med("floor", n, s, "wall")
        ok = None if math.isnan(w) or math.isnan(fl) else w <= 1.5 * fl
        print(f"  [{verdict(ok)}] nscheck wall <= 1.5 x floor wall, N={n} {s}: "
              + ("not measured" if ok is None else
                 f"{f(w)} s vs 1.5 x {f(fl)} = {f(1.5 * fl)} s (ratio {ratio(w, fl)})"))
checks = []
if not math.isnan(sst):
    checks.append(("seed 004 'default routes, forwarding off'", sst, sdl))
for n in ns:
    st, dl = med("nscheck", n, "star-fwdoff", "stage"), med("nscheck", n, "star-fwdoff", "deadline")
    if not math.isnan(st):
        fp = med("floor", n, "star-fwdoff", "probe")
        sp, sq = med("nscheck", n, "star-fwdoff", "stage_plan"), med("nscheck", n, "star-fwdoff", "stage_probe")
        note = "" if math.isnan(sp) else f" (its planning {f(sp)} s, probing {f(sq)} s"
        note += "" if math.isnan(fp) else (", " if note else " (") + f"the floor's probe: {f(fp)} s"
        checks.append((f"star-fwdoff N={n}", st, dl, note + (")" if note else "")))
for name, st, dl, *note in checks:
    ok = st <= dl / 1e3 + 0.2
    print(f"  [{verdict(ok)}] silent-drop stage <= deadline + 0.2 s, {name}: {f(st)} s vs {f(dl / 1e3 + 0.2)} s"
          + (note[0] if note else ""))
if not checks:
    print("  [n/a ] silent-drop stage <= deadline + 0.2 s: no silent-drop stage measured")
for s in scens:
    r = med("nscheck", 250, s, "rss")
    ok = None if math.isnan(r) else r < 64
    print(f"  [{verdict(ok)}] peak RSS < 64 MiB at N=250, {s}: " + ("not measured" if ok is None else f"{f(r, 1)} MiB"))
PY

echo
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min); runs started on a busy machine (15 s without 90 % idle CPUs): $SETTLE_TIMEOUTS"

mism=$(awk -F'\t' '$10 != "-" && $10 != 0 {c++} END{print c+0}' "$RAW")
errs=$(awk -F'\t' '$11 == "error" {c++} END{print c+0}' "$RAW")
if [ "$errs" -gt 0 ] || [ "$PROBLEMS" != 0 ]; then
  echo; echo "star_bench.sh: some runs could not be done (see !! above)"; KEEP_WORK=1; exit 2
fi
if [ "$mism" -gt 0 ]; then
  echo; echo "star_bench.sh: $mism runs with mismatches (see !! above): their figures do not count"; KEEP_WORK=1; exit 1
fi
exit 0
}

main "$@"
exit $?
