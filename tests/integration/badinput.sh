# tests/integration/badinput.sh: bad bundles, kernels and guests get a
# one-line error naming what is wrong, a non-zero exit, and leave nothing
# behind (lib_teardown checks the state root and kernel processes).

expect_error() { # PATTERN CMD...
	local pat=$1
	shift
	"$@" > "$T/o" 2> "$T/e"
	local rc=$?
	[ "$rc" -ne 0 ] || fail "succeeded: $*"
	grep -q -- "$pat" "$T/e" || fail "stderr lacks '$pat': $(cat "$T/e")"
	[ ! -s "$T/o" ] || fail "stdout not empty: $(cat "$T/o")"
}

test_missing_bundle() {
	expect_error "bundle $T/nope: No such file or directory" "${UML[@]}" run -b "$T/nope" id1
	expect_error "$T/nope" "${UML[@]}" "$T/nope"
}

test_missing_config_json() {
	mkdir -p "$T/b/rootfs"
	expect_error "$T/b/config.json" "${UML[@]}" "$T/b"
}

test_invalid_config_json() {
	new_bundle "$T/b"
	echo '{"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "process": {"args": [1], "cwd": "/"}}' > "$T/b/config.json"
	expect_error 'process.args\[0\]' "${UML[@]}" "$T/b"
	echo '{"ociVersion": ' > "$T/b/config.json"
	expect_error 'config.json' "${UML[@]}" "$T/b"
}

test_rootfs_not_a_directory() {
	new_bundle "$T/b"
	rm -rf "$T/b/rootfs"; echo x > "$T/b/rootfs"
	# a regular file is an image root (rootimg.sh): this one is not one
	expect_error "$T/b/rootfs.*not an ext4 image" "${UML[@]}" "$T/b"
	rm -f "$T/b/rootfs"; mkfifo "$T/b/rootfs"
	expect_error "root.path $T/b/rootfs: not a directory" "${UML[@]}" "$T/b"
	rm -f "$T/b/rootfs"
	expect_error "root.path $T/b/rootfs: No such file or directory" "${UML[@]}" "$T/b"
}

test_kernel_not_executable() {
	new_bundle "$T/b"
	echo junk > "$T/k"; chmod 644 "$T/k"
	expect_error "\-\-kernel $T/k: not executable" "${UML[@]}" --kernel "$T/k" "$T/b"
	expect_error "\-\-kernel $T/missing: No such file" "${UML[@]}" --kernel "$T/missing" "$T/b"
}

test_bad_vm_kernel_path_in_config() {
	new_bundle "$T/b" false '["true"]' '"vm": {"kernel": {"path": "/nonexistent/linux"}}'
	expect_error 'vm.kernel.path /nonexistent/linux: No such file' "${UML[@]}" "$T/b"
}

test_vm_kernel_path_is_used() {
	new_bundle "$T/b" false '["uname", "-r"]' "\"vm\": {\"kernel\": {\"path\": \"$UMLRUN_KERNEL\"}}"
	local out
	out=$(UMLRUN_KERNEL=/nonexistent "${UML[@]}" "$T/b") || fail "exit $?"
	[[ $out == 6.12.* ]] || fail "got $out"
}

test_executable_that_is_not_a_uml_kernel() {
	new_bundle "$T/b"
	expect_error "guest kernel exited with status 0 before the agent started" \
		"${UML[@]}" --kernel /bin/true "$T/b"
}

test_guest_kernel_crash_is_reported() {
	new_bundle "$T/b" false '["sh", "-c", "echo c > /proc/sysrq-trigger; sleep 5"]'
	expect_error "guest kernel .* before the workload finished" "${UML[@]}" "$T/b"
}

test_terminal_create_needs_a_console_socket() {
	new_bundle "$T/b"
	sed -i 's/"terminal": false/"terminal": true/' "$T/b/config.json"
	expect_error "needs --console-socket" "${UML[@]}" create --bundle "$T/b" tt
	[ ! -e "$ROOT/tt" ] || fail "state left"
}

test_unknown_command_or_bundle() {
	expect_error 'neither a command nor a bundle' "${UML[@]}" frobnicate
}

test_bad_container_id() {
	new_bundle "$T/b"
	expect_error 'invalid container id' "${UML[@]}" run -b "$T/b" 'a/b'
}
