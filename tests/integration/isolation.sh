# tests/integration/isolation.sh: host-side evidence of the kernel process's
# confinement: its uid, namespaces, capabilities, view of the filesystem,
# and `umlrun check`.

# Starts a sleeping sandbox and sets KPID to its UML kernel process.
start_sleeper() {
	new_bundle "$T/b" "${1:-false}" '["sh", "-c", "echo ready; sleep 30"]'
	"${UML[@]}" "$T/b" > "$T/o" 2>&1 &
	SANDBOX=$!
	wait_for "$T/o" ready || fail "sandbox did not start: $(cat "$T/o")"
	local init
	init=$(pgrep -P $SANDBOX | head -n1)
	KINIT=$init
	KPID=$(pgrep -P "$init" | head -n1)
	[ -n "$KPID" ] || fail "no kernel process under $init"
}

stop_sleeper() { kill -TERM $SANDBOX; wait $SANDBOX; }

test_kernel_process_is_unprivileged_and_namespaced() {
	start_sleeper
	local st uid ns
	st=$(cat /proc/$KPID/status)
	uid=$(awk '/^Uid:/ {print $2}' <<< "$st")
	for ns in mnt pid net ipc uts; do
		[ "$(readlink /proc/$KPID/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ] ||
			{ stop_sleeper; fail "kernel process shares the host's $ns namespace"; }
	done
	local capeff capbnd nnp root seccomp filters
	seccomp=$(awk '/^Seccomp:/ {print $2}' <<< "$st")
	filters=$(awk '/^Seccomp_filters:/ {print $2}' <<< "$st")
	capeff=$(awk '/^CapEff:/ {print $2}' <<< "$st")
	capbnd=$(awk '/^CapBnd:/ {print $2}' <<< "$st")
	nnp=$(awk '/^NoNewPrivs:/ {print $2}' <<< "$st")
	root=$(ls -A /proc/$KPID/root/ | tr '\n' ' ')
	stop_sleeper
	[ "$uid" != 0 ] || fail "kernel process runs as host root"
	[ "$(id -u)" != 0 ] || [ "$uid" -ge $((0x70000000)) ] || fail "unexpected uid $uid"
	[ "$capeff" = 0000000000000000 ] || fail "effective capabilities: $capeff"
	[ "$capbnd" = 0000000000000000 ] || fail "bounding set not empty: $capbnd"
	[ "$nnp" = 1 ] || fail "no_new_privs not set"
	[ "$seccomp" = 2 ] || fail "no seccomp filter (Seccomp: $seccomp)"
	[ "${filters:-0}" -ge 2 ] || fail "expected the two stacked filters, got $filters"
	[ "$root" = "dev initramfs.cpio linux mc proc rootfs tmp uml " ] || fail "view holds: $root"
}

test_kernel_process_has_only_declared_fds() {
	start_sleeper
	local fds
	fds=$(ls /proc/$KPID/fd | sort -n | tr '\n' ' ')
	stop_sleeper
	# 0-4 are declared; UML itself opens its memory file, epoll and pipes above them.
	for fd in $fds; do
		[ "$fd" -le 4 ] && continue
		local target
		target=$(readlink /proc/$KPID/fd/$fd 2>/dev/null)
		case $target in
		"/tmp/"*|anon_inode:*|pipe:*|socket:*|/dev/pts/*|/dev/null|/uml/*|"") ;;
		*) fail "unexpected fd $fd -> $target" ;;
		esac
	done
}

test_check_lists_each_layer() {
	"$UMLRUN" check > "$T/o" || fail "check exit $?"
	local layer
	for layer in unprivileged-kernel namespaces landlock capabilities rlimits; do
		grep -qE "^$layer +(on|off) " "$T/o" || fail "no line for $layer: $(cat "$T/o")"
	done
	grep -qE '^namespaces +on ' "$T/o" || fail "namespaces off on this host: $(cat "$T/o")"
}

test_require_annotation_rejects_unknown_layer() {
	new_bundle "$T/b" false '["true"]' '"annotations": {"run.umlrun.require": "landlock,moat"}'
	"${UML[@]}" "$T/b" 2> "$T/e" && fail "ran with an unknown required layer"
	grep -q 'annotations.run.umlrun.require: unknown layer "moat"' "$T/e" || fail "stderr: $(cat "$T/e")"
}

test_require_annotation_with_available_layers_runs() {
	new_bundle "$T/b" false '["echo", "ok"]' '"annotations": {"run.umlrun.require": "namespaces, landlock"}'
	[ "$("${UML[@]}" "$T/b")" = ok ] || fail "did not run"
}

test_unprivileged_user_runs_a_sandbox() {
	[ "$(id -u)" = 0 ] || skip "needs root to switch to an unprivileged user"
	command -v setpriv > /dev/null || skip "no setpriv"
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$UMLRUN" &&
		setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$UMLRUN_KERNEL" ||
		skip "the build tree is not readable by nobody"
	new_bundle "$T/b" false '["sh", "-c", "echo hi > /tmp/from-guest; id -u"]'
	chown -R 65534:65534 "$T/b"
	chmod 755 "$T"
	mkdir "$T/ustate" && chown 65534:65534 "$T/ustate"
	local out
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin \
		UMLRUN_KERNEL="$UMLRUN_KERNEL" UMLRUN_INITRAMFS="$UMLRUN_INITRAMFS" \
		"$UMLRUN" --root "$T/ustate" "$T/b" 2>&1) || fail "exit $?: $out"
	[ "$out" = 0 ] || fail "guest id -u: $out"
	[ "$(stat -c %u "$T/b/rootfs/tmp/from-guest")" = 65534 ] || fail "file not owned by the user"
	[ -z "$(find "$T/ustate" -mindepth 1 -maxdepth 1 -type d)" ] || fail "state left behind"
}

test_sigkill_of_umlrun_leaves_no_kernel_process() {
	start_sleeper
	[ -n "$(kernel_pids)" ] || fail "the leak check cannot see the running kernel"
	# A wedged guest: nothing in the sandbox reacts to umlrun's end by itself.
	kill -STOP $KINIT $KPID
	kill -KILL $SANDBOX
	wait $SANDBOX 2>/dev/null
	local i
	for i in $(seq 50); do [ -z "$(kernel_pids)" ] && break; sleep 0.1; done
	[ -z "$(kernel_pids)" ] || fail "kernel processes outlived umlrun: $(kernel_pids)"
	rm -rf "$ROOT"/*/ # a SIGKILLed umlrun cannot clean its state (issue: lifecycle)
}

test_guest_reboot_ends_the_sandbox() {
	# UML restarts itself by exec on a guest reboot; seccomp allows no exec.
	new_bundle "$T/b" false '["reboot", "-f"]'
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e"
	local rc=$?
	[ "$rc" -ne 0 ] || fail "a rebooted guest reported success"
	grep -q "guest kernel" "$T/e" || fail "stderr: $(cat "$T/e")"
}
