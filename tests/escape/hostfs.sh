# tests/escape/hostfs.sh: guest root attacks hostfs, whose host paths are
# built by string concatenation: `..` in the mount data, absolute host
# paths, symlinks the host follows, and the double-mount symlink swap that
# reads and writes through a cached directory. Each runs against a secret
# file and a canary directory on the host outside the bundle.

escape_setup() {
	mkdir -p "$T/canary"
	SECRET="top-secret-$$-$RANDOM"
	echo "$SECRET" > "$T/secret"
	new_bundle "$T/b" false
}

# run_attack SCRIPT: runs SCRIPT as guest root in a writable-root sandbox.
run_attack() {
	new_bundle "$T/b" false '["sh", "/attack.sh"]'
	printf '%s\n' "$1" > "$T/b/rootfs/attack.sh"
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e"
	echo "exit $?"
}

assert_contained() {
	! grep -q "$SECRET" "$T/o" "$T/e" || fail "the secret reached the guest: $(grep -h "$SECRET" "$T/o" "$T/e")"
	[ -z "$(ls -A "$T/canary")" ] || fail "the canary directory was written: $(ls -A "$T/canary")"
	grep -q "attack-ran" "$T/o" || fail "the attack did not run: $(cat "$T/o" "$T/e")"
}

test_dotdot_in_hostfs_mount_data() {
	escape_setup
	run_attack "mkdir -p /m; for up in / /.. /../.. /../../.. /../../../.. /../../../../..; do
		mount -t hostfs none /m -o \"\$up$T\" 2>/dev/null || continue
		cat /m/secret; echo owned > /m/canary/owned; umount /m; done; echo attack-ran"
	assert_contained
}

test_hostfs_root_of_the_view_shows_nothing_of_the_host() {
	escape_setup
	run_attack "mkdir -p /m; mount -t hostfs none /m -o /../../../.. && ls -a /m; find /m -maxdepth 3 2>&1 | head -50; echo attack-ran"
	assert_contained
	! grep -qE '^/m/(etc|home|root|work|var)$' "$T/o" || fail "host directories visible: $(cat "$T/o")"
}

test_symlink_in_rootfs_followed_by_the_host() {
	escape_setup
	run_attack "ln -s / /hostroot; mkdir -p /m; mount -t hostfs none /m -o /hostroot$T 2>&1;
		cat /m/secret; echo owned > /m/canary/owned; ln -s $T/secret /leak; cat /leak; echo attack-ran"
	assert_contained
}

test_double_mount_symlink_swap() {
	escape_setup
	run_attack "mkdir -p /a /b; mount -t hostfs none /a -o / && mount -t hostfs none /b -o / || echo no-mount;
		mkdir /a/d; cd /a/d; rmdir /b/d; ln -s $T /b/d;
		cat ./secret; echo owned > ./canary/owned; ls; echo attack-ran"
	assert_contained
}

test_other_sandbox_rootfs_is_unreachable() {
	escape_setup
	new_bundle "$T/victim" false '["sh", "-c", "echo ready; sleep 30"]'
	echo "$SECRET" > "$T/victim/rootfs/victim-secret"
	"${UML[@]}" "$T/victim" > "$T/vo" 2>&1 &
	local victim=$!
	wait_for "$T/vo" ready || fail "victim did not start"
	run_attack "mkdir -p /m; for up in / /.. /../.. /../../.. /../../../..; do
		mount -t hostfs none /m -o \"\$up$T/victim/rootfs\" 2>/dev/null || continue
		cat /m/victim-secret; echo owned > /m/owned; umount /m; done; echo attack-ran"
	kill -TERM $victim; wait $victim
	assert_contained
	[ ! -e "$T/victim/rootfs/owned" ] || fail "wrote into the other sandbox's rootfs"
}

test_host_processes_are_invisible() {
	escape_setup
	run_attack "mkdir -p /m; for up in /.. /../.. /../../.. /../../../.. /../../../../..; do
		mount -t hostfs none /m -o \$up/proc 2>/dev/null || continue
		ls /m | grep -qx $$ && echo saw-host-pid-$$; umount /m; done; echo attack-ran"
	assert_contained
	# (hostfs reads procfs files as empty: their size is 0; listings work)
	! grep -q "saw-host-pid" "$T/o" || fail "the host's processes are visible in the guest"
}
