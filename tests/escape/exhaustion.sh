# tests/escape/exhaustion.sh: resource attacks from guest root stay inside
# the sandbox: a fork bomb, a memory hog and a disk filler leave the host
# and a second sandbox working.

# A second sandbox must still run while the attack goes on.
bystander_works() {
	local out
	out=$("${UML[@]}" "$UMLRUN_BUNDLE" echo bystander-ok 2>&1)
	[ "$out" = bystander-ok ] || fail "second sandbox failed during the attack: $out"
}

test_fork_bomb_is_contained() {
	new_bundle "$T/b" false '["sh", "-c", "echo ready; f() { f | f & }; f; sleep 600"]'
	"${UML[@]}" "$T/b" > "$T/o" 2>&1 &
	local bomb=$!
	wait_for "$T/o" ready || fail "bomb did not start"
	sleep 2
	bystander_works
	local kernel_procs
	kernel_procs=$(kernel_pids | wc -l)
	kill -KILL $bomb; wait $bomb 2>/dev/null
	# UML runs one host stub per guest process: as root the sandbox's own
	# uid caps them (RLIMIT_NPROC 1024, plus the waiter and the kernel).
	if [ "$(id -u)" = 0 ]; then
		[ "$kernel_procs" -le 1026 ] || fail "the bomb made $kernel_procs host processes"
	fi
	for i in $(seq 100); do [ -z "$(kernel_pids)" ] && break; sleep 0.1; done
	rm -rf "$ROOT"/*/
}

test_memory_hog_is_contained() {
	new_bundle "$T/b" false '["sh", "-c", "echo ready; x=aaaaaaaa; while :; do x=$x$x; done"]'
	"${UML[@]}" "$T/b" > "$T/o" 2>&1 &
	local hog=$!
	wait_for "$T/o" ready || fail "hog did not start"
	bystander_works
	local rss=0 p
	for p in $(kernel_pids); do rss=$((rss + $(awk '/^VmRSS/ {print $2}' /proc/$p/status 2>/dev/null || echo 0))); done
	wait $hog
	local rc=$?
	# The guest's OOM killer ends the hog; the memory file is capped by mem=.
	[ "$rc" -ne 0 ] || fail "the hog exited 0"
	[ "$rss" -lt $((256 * 1024)) ] || fail "sandbox RSS ${rss} kB exceeds 256 MiB with mem=64M"
}

test_disk_filler_stays_in_its_writable_root() {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small filesystem"
	new_bundle "$T/b" false '["sh", "-c", "dd if=/dev/zero of=/tmp/fill bs=1M 2>&1; echo fill-done; echo still > /tmp/small"]'
	mkdir -p "$T/small"
	mount -t tmpfs -o size=24m tmpfs "$T/small" || skip "cannot mount tmpfs"
	cp -a "$T/b/rootfs" "$T/small/rootfs"
	sed 's|"path": "rootfs"|"path": "'"$T/small/rootfs"'"|' "$T/b/config.json" > "$T/b/config.json.new"
	mv "$T/b/config.json.new" "$T/b/config.json"
	echo keep > "$T/host-file"
	"${UML[@]}" "$T/b" > "$T/o" 2>&1
	local rc=$?
	local used
	used=$(df --output=pcent "$T/small" | tail -n1 | tr -dc 0-9)
	umount "$T/small"
	grep -q "fill-done" "$T/o" || fail "filler did not finish (exit $rc): $(tail -5 "$T/o")"
	grep -qi "no space" "$T/o" || fail "the filler never hit ENOSPC: $(tail -5 "$T/o")"
	[ "$used" -ge 90 ] || fail "the writable root was not filled ($used%)"
	[ "$(cat "$T/host-file")" = keep ] || fail "a host file changed"
}
