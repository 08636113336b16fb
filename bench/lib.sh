# bench/lib.sh: timing helpers for the benchmarks: wall-clock medians taken
# with bash's EPOCHREALTIME (no extra process per sample).

# time_ms CMD... : prints the wall time of one run in milliseconds (3 decimals).
time_ms() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" > /dev/null 2>&1 < /dev/null
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}

# median: reads numbers, one a line; prints the median.
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# sample N CMD... : N timed runs after one warm-up; prints the median.
sample() {
	local n=$1 i
	shift
	"$@" > /dev/null 2>&1 < /dev/null
	for i in $(seq "$n"); do time_ms "$@"; done | median
}

# samples N FN... : N rounds in which each function FN runs once, timed, in
# turn (after one warm-up each), so that drifts of the host's load touch
# them alike; prints each one's median, one a line, in order. For
# differences of a few ms between variants of one command.
samples() {
	local n=$1 i j
	local -a t=()
	shift
	for j in "$@"; do "$j" > /dev/null 2>&1 < /dev/null; done
	for i in $(seq "$n"); do
		for ((j = 1; j <= $#; j++)); do t[j]+="$(time_ms "${!j}")"$'\n'; done
	done
	for ((j = 1; j <= $#; j++)); do printf '%s' "${t[j]}" | median; done
}
