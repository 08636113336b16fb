#!/bin/sh
# tests/fuzz/run.sh SECONDS: builds the libFuzzer target for the
# config.json parser (fuzz-spec.c + spec/*.c) with clang and
# -fsanitize=fuzzer,address,undefined, and runs it for SECONDS over a fresh
# copy of the seed corpus. Exit 0: no crash; 1: a crash, leak, timeout or
# sanitizer report (the input is kept, its path printed) or a build
# failure; 77: skipped, because clang or its libFuzzer runtime is missing.
#
# Build and work directory: $FUZZ_DIR, else $UMLRUN_BUILDDIR/tests/fuzz
# (set by `make check`), else /var/tmp/umlrun-fuzz. $CLANG picks the
# compiler (default: clang).
#
# Seeds (corpus/spec/): the output of `runc spec` and `runc spec
# --rootless` (runc 1.1.5, as root), `crun spec` and `crun spec --rootless`
# (crun 1.8.1), the config.json podman 4.3.1 hands its OCI runtime for a
# plain `podman run` and for one with volumes, devices, limits, hooks and
# sysctls (captured with a fake --runtime; host paths replaced), a few
# hand-written ones (podman-like, vm-kernel, minimal) and hostile-*.json:
# deep nesting, duplicate keys, invalid UTF-8, NUL, overflow, wrong types,
# unknown names.
set -u

secs=${1:?usage: run.sh SECONDS [spec|netslirp]}
# netslirp: the frame input path of umlrun-netslirp (fuzz-netslirp.c +
# netslirp/engine.c + reass.c + udpfwd.c + dstfilter.c + libslirp),
# seeds in corpus/netslirp/ (ARP, ping, DNS, TCP SYN, DHCP, IPv6 router
# solicitation frames of a guest, its reply through a UDP forward; frag-*:
# IPv4 fragments of a ping and of UDP datagrams, out of order, repeated,
# with IP options, overlapping, past 65535 bytes, and the one at offset 8
# of an ICMP echo that crashed libslirp's own reassembly).
target=${2:-spec}
src=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CLANG:-clang}
out=${FUZZ_DIR:-${UMLRUN_BUILDDIR:+$UMLRUN_BUILDDIR/tests/fuzz}}
out=${out:-/var/tmp/umlrun-fuzz}

case $secs in
'' | *[!0-9]*) echo "run.sh: SECONDS must be a number, got \"$secs\"" >&2; exit 1 ;;
esac

if ! command -v "$cc" > /dev/null 2>&1; then
	echo "skipped: $cc not found (apt-get install clang)"
	exit 77
fi
mkdir -p "$out" || exit 1

# clang alone may lack the libFuzzer runtime (Debian: libclang-rt-14-dev)
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' > "$out/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$out/probe.c" -o "$out/probe" > "$out/probe.log" 2>&1; then
	echo "skipped: $cc cannot link -fsanitize=fuzzer,address,undefined (install libclang-rt-dev): $(head -n 1 "$out/probe.log")"
	exit 77
fi

# fuzz NAME CORPUS LABEL LIBFUZZER-OPTION...: runs $out/fuzz-NAME for $secs
# over a fresh copy of corpus/CORPUS, reports, and exits: 0 when no crash,
# 1 (with the failing input kept) otherwise.
fuzz() {
	name=$1 corpus=$2 label=$3
	shift 3
	rm -rf "$out/corpus" && cp -R "$src/tests/fuzz/corpus/$corpus" "$out/corpus" || exit 1
	rm -f "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-* "$out"/slow-unit-*
	echo "== fuzzing $label for $secs s"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$out/fuzz-$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 "$@" \
		-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
		-artifact_prefix="$out/" "$out/corpus" > "$out/fuzz.log" 2>&1
	rc=$?
	grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$out/fuzz.log"
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$out/fuzz.log"
		for f in "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*; do
			[ -e "$f" ] && echo "run.sh: failing input kept in $f"
		done
		echo "run.sh: the fuzzer failed (exit $rc); log: $out/fuzz.log"
		exit 1
	fi
	echo "run.sh: no crash in $secs s; log: $out/fuzz.log"
	exit 0
}

if [ "$target" = netslirp ]; then
	out=$out/netslirp
	mkdir -p "$out" || exit 1
	# the libslirp netslirp links: the bundled one (configure's default)
	# where the build has it, else the system's
	bundled=${UMLRUN_BUILDDIR:-}/netslirp/libslirp
	if [ -n "${UMLRUN_BUILDDIR:-}" ] && [ -r "$bundled/libslirp.a" ]; then
		slirp="-I$bundled/include/slirp $(pkg-config --cflags glib-2.0) $bundled/libslirp.a $(pkg-config --libs glib-2.0)"
	else
		slirp=$(pkg-config --cflags --libs slirp 2> /dev/null) || {
			echo "skipped: libslirp not found (apt-get install libslirp-dev)"
			exit 77
		}
	fi
	echo "== building $out/fuzz-netslirp"
	# shellcheck disable=SC2086 # $slirp is a list of flags
	"$cc" -std=gnu11 -g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Wall -Wextra -Werror -I"$src" \
		"$src/tests/fuzz/fuzz-netslirp.c" "$src/netslirp/engine.c" "$src/netslirp/reass.c" \
		"$src/netslirp/udpfwd.c" "$src/netslirp/dstfilter.c" $slirp \
		-o "$out/fuzz-netslirp" || { echo "run.sh: building the fuzz target failed" >&2; exit 1; }
	fuzz netslirp netslirp "netslirp's frame input" -max_len=16384
fi

yajl=$(pkg-config --libs yajl 2> /dev/null || echo -lyajl)
echo "== building $out/fuzz-spec"
# shellcheck disable=SC2086 # $yajl is a list of flags
if ! "$cc" -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Wno-unused-parameter -I"$src" \
	"$src/tests/fuzz/fuzz-spec.c" "$src"/spec/*.c "$src/runtime/error.c" $yajl \
	-o "$out/fuzz-spec"; then
	echo "run.sh: building the fuzz target failed" >&2
	exit 1
fi
fuzz spec spec "the config.json parser" -max_len=65536 -dict="$src/tests/fuzz/spec.dict"
