# tests/lib.sh: helpers for the integration and escape tests. Each test runs
# in its own bash process with a private temp dir ($T) and state root
# ($ROOT); lib_teardown fails the test if a sandbox leaked a state directory
# or a kernel process.

fail() { echo "assertion failed: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }

lib_setup() {
	[ -n "${T:-}" ] || T=$(mktemp -d /tmp/umlrun-test.XXXXXX)
	ROOT=$T/state
	export T ROOT
	UML=("$UMLRUN" --root "$ROOT")
}

# Processes tagged with a sandbox state dir below PREFIX (default: this
# test's state root): umlrun puts UMLRUN_STATE=<state dir> in the kernel
# process's environment.
sandbox_pids() {
	local prefix=${1:-$ROOT/} e
	for e in /proc/[0-9]*/environ; do
		tr '\0' '\n' 2>/dev/null < "$e" | grep -q "^UMLRUN_STATE=$prefix" && { e=${e#/proc/}; echo "${e%/environ}"; }
	done
	return 0
}
kernel_pids() { sandbox_pids "$ROOT/"; }

# layer_state LAYER: "on" or "off", as `umlrun check` reports the
# confinement layer here (a test build reports UMLRUN_TEST_DISABLE's as off).
layer_state() { "$UMLRUN" check | awk -v l="$1" '$1 == l { print $2 }'; }

lib_teardown() {
	local rc=$1 left
	if [ "$rc" -eq 0 ]; then
		left=$(kernel_pids)
		if [ -n "$left" ]; then
			echo "leak: kernel processes still running: $left" >&2; rc=1
		fi
		if [ -d "$ROOT" ] && [ -n "$(find "$ROOT" -mindepth 1 -maxdepth 1 -type d)" ]; then
			echo "leak: state left in $ROOT:" >&2; ls -la "$ROOT" >&2; rc=1
		fi
	fi
	local p
	for p in $(kernel_pids); do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
	exit "$rc"
}

# new_bundle DIR [readonly(true|false)] [ARGS_JSON] [EXTRA_TOPLEVEL_JSON] [ENV_JSON] [CWD]
# Makes a bundle with a private copy of the busybox rootfs.
new_bundle() {
	local dir=$1 ro=${2:-false} args=${3:-'["true"]'} extra=${4:-} env=${5:-'["PATH=/bin:/sbin:/usr/bin"]'} cwd=${6:-/}
	mkdir -p "$dir"
	cp -a "$UMLRUN_BUNDLE/rootfs" "$dir/rootfs"
	cat > "$dir/config.json" <<JSON
{
	"ociVersion": "1.0.2",
	"process": { "terminal": false, "user": {"uid": 0, "gid": 0},
		"args": $args, "env": $env, "cwd": "$cwd" },
	"root": { "path": "rootfs", "readonly": $ro },
	"hostname": "testbox"${extra:+,
	$extra}
}
JSON
}

# run_in BUNDLE ARGS... : the short form, with this test's state root.
run_in() { "${UML[@]}" "$@"; }

# Waits up to ~20 s for FILE to contain PATTERN.
wait_for() {
	local i
	for i in $(seq 200); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# build_variant DIR CONFIGURE_FLAG TARGET... : a second build of the source
# tree in DIR (configured once, with CONFIGURE_FLAG and the suite's kernel),
# making TARGETs; its log is DIR.log. For tests/run's ASan and test-knob
# passes and bench/start.
build_variant() {
	local dir=$1 flag=$2
	shift 2
	mkdir -p "$dir"
	(cd "$dir" && { [ -f Makefile ] || "$UMLRUN_SRCDIR"/configure -q "$flag" --with-kernel="$UMLRUN_KERNEL"; } &&
		make -s -j"$(nproc)" "$@") > "$dir.log" 2>&1
}
