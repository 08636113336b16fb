# tests/integration/run.sh: `umlrun BUNDLE` and `umlrun run`: the end-to-end
# path on the real guest kernel, stdio, exit codes, signals, the rootfs.

test_demo_bundle_prints_guest_facts() {
	local out
	out=$(run_in "$UMLRUN_BUNDLE") || fail "demo exited $?"
	[[ $out == "Hello from inside the umlrun sandbox: umlrun-demo, guest kernel Linux 6.12."* ]] ||
		fail "unexpected demo output: $out"
	[[ $(uname -r) != 6.12.* ]] || skip "host kernel is 6.12 too; the check would prove nothing"
}

test_uname_is_the_guest_kernel() {
	local out
	out=$(run_in "$UMLRUN_BUNDLE" uname -r) || fail "exit $?"
	[[ $out == 6.12.* ]] || fail "guest uname -r: $out"
	[[ $out != "$(uname -r)" ]] || fail "guest reports the host kernel"
}

test_run_command_exit_code() {
	new_bundle "$T/b" false '["sh", "-c", "echo from-run; exit 7"]'
	local out rc
	out=$("${UML[@]}" run --bundle "$T/b" myid)
	rc=$?
	[ "$rc" -eq 7 ] || fail "exit code $rc, want 7"
	[ "$out" = "from-run" ] || fail "stdout: $out"
}

test_run_defaults_to_current_directory_bundle() {
	new_bundle "$T/b" false '["sh", "-c", "exit 4"]'
	(cd "$T/b" && "${UML[@]}" run x)
	[ $? -eq 4 ] || fail "exit code, want 4"
}

test_short_form_args_replace_process_args() {
	local rc
	run_in "$UMLRUN_BUNDLE" sh -c 'exit 3'
	rc=$?
	[ "$rc" -eq 3 ] || fail "exit $rc, want 3"
}

test_exit_codes_0_and_255() {
	run_in "$UMLRUN_BUNDLE" true || fail "true exited $?"
	run_in "$UMLRUN_BUNDLE" sh -c 'exit 255'
	[ $? -eq 255 ] || fail "want 255"
}

test_killed_by_signal_gives_128_plus_n() {
	run_in "$UMLRUN_BUNDLE" sh -c 'kill -KILL $$'
	[ $? -eq 137 ] || fail "SIGKILL: want 137"
	run_in "$UMLRUN_BUNDLE" sh -c 'kill -TERM $$'
	[ $? -eq 143 ] || fail "SIGTERM: want 143"
}

test_stdout_and_stderr_are_separate() {
	run_in "$UMLRUN_BUNDLE" sh -c 'echo out; echo err >&2; echo out2' > "$T/o" 2> "$T/e" ||
		fail "exit $?"
	[ "$(cat "$T/o")" = $'out\nout2' ] || fail "stdout: $(cat "$T/o")"
	[ "$(cat "$T/e")" = "err" ] || fail "stderr: $(cat "$T/e")"
}

test_10mib_binary_stdin_to_stdout_is_byte_identical() {
	head -c 10485760 /dev/urandom > "$T/in"
	run_in "$UMLRUN_BUNDLE" cat < "$T/in" > "$T/out" 2> "$T/err" || fail "exit $?"
	cmp "$T/in" "$T/out" || fail "output differs"
	[ ! -s "$T/err" ] || fail "stderr not empty: $(head -c 300 "$T/err")"
}

test_binary_stderr_is_byte_identical() {
	head -c 1048576 /dev/urandom > "$T/in"
	run_in "$UMLRUN_BUNDLE" sh -c 'cat >&2' < "$T/in" > "$T/out" 2> "$T/err" || fail "exit $?"
	cmp "$T/in" "$T/err" || fail "stderr differs"
	[ ! -s "$T/out" ] || fail "stdout not empty"
}

test_stdin_eof_reaches_workload() {
	local out
	out=$(echo hi | run_in "$UMLRUN_BUNDLE" cat) || fail "exit $?"
	[ "$out" = hi ] || fail "got: $out"
	out=$(run_in "$UMLRUN_BUNDLE" wc -c < /dev/null) || fail "exit $?"
	[ "$(echo $out)" = 0 ] || fail "wc -c of empty stdin: $out"
}

test_workload_that_ignores_stdin_does_not_hang() {
	head -c 4194304 /dev/zero > "$T/in"
	local out
	out=$(run_in "$UMLRUN_BUNDLE" echo done < "$T/in") || fail "exit $?"
	[ "$out" = done ] || fail "got: $out"
}

test_kernel_messages_stay_off_stdio() {
	run_in "$UMLRUN_BUNDLE" true > "$T/o" 2> "$T/e" || fail "exit $?"
	[ ! -s "$T/o" ] || fail "stdout not empty: $(head -c 300 "$T/o")"
	[ ! -s "$T/e" ] || fail "stderr not empty: $(head -c 300 "$T/e")"
}

test_debug_shows_kernel_messages() {
	"${UML[@]}" --debug "$UMLRUN_BUNDLE" true > "$T/o" 2> "$T/e" || fail "exit $?"
	grep -q "Linux version 6.12" "$T/e" || fail "no kernel banner on stderr with --debug"
	[ ! -s "$T/o" ] || fail "stdout not empty"
}

forward_test() { # SIGNAL
	new_bundle "$T/b" false "[\"sh\", \"-c\", \"trap 'echo got $1; exit 5' $1; echo ready; while :; do sleep 0.1; done\"]"
	"${UML[@]}" "$T/b" > "$T/o" 2>&1 &
	local pid=$!
	wait_for "$T/o" ready || { kill -9 $pid; fail "workload never started: $(cat "$T/o")"; }
	kill -"$1" $pid
	wait $pid
	local rc=$?
	[ "$rc" -eq 5 ] || fail "exit $rc, want 5 (output: $(cat "$T/o"))"
	grep -q "got $1" "$T/o" || fail "trap did not run: $(cat "$T/o")"
}
test_sigterm_is_forwarded() { forward_test TERM; }
test_sigint_is_forwarded() { forward_test INT; }

test_readonly_root_refuses_writes() {
	new_bundle "$T/b" true '["sh", "-c", "echo x > /newfile"]'
	run_in "$T/b" 2> "$T/e"
	[ $? -ne 0 ] || fail "write to a read-only root succeeded"
	grep -qi "read-only" "$T/e" || fail "stderr: $(cat "$T/e")"
	[ ! -e "$T/b/rootfs/newfile" ] || fail "file appeared on the host"
}

test_writable_root_writes_reach_the_host() {
	new_bundle "$T/b" false '["sh", "-c", "echo guest-wrote-this > /tmp/newfile"]'
	run_in "$T/b" || fail "exit $?"
	[ "$(cat "$T/b/rootfs/tmp/newfile")" = guest-wrote-this ] || fail "host copy: $(cat "$T/b/rootfs/tmp/newfile" 2>&1)"
}

test_env_cwd_and_hostname() {
	new_bundle "$T/b" false '["sh", "-c", "echo $FOO; pwd; hostname"]' "" '["FOO=bar baz", "PATH=/bin"]' /tmp
	local out
	out=$(run_in "$T/b") || fail "exit $?"
	[ "$out" = $'bar baz\n/tmp\ntestbox' ] || fail "got: $out"
}

test_missing_command_exits_127_with_message() {
	run_in "$UMLRUN_BUNDLE" /no/such/command > "$T/o" 2> "$T/e"
	[ $? -eq 127 ] || fail "exit code, want 127"
	grep -q '/no/such/command' "$T/e" || fail "stderr does not name the command: $(cat "$T/e")"
	[ ! -s "$T/o" ] || fail "stdout not empty"
}

test_same_id_twice_is_refused() {
	new_bundle "$T/b" false '["sh", "-c", "echo ready; sleep 30"]'
	"${UML[@]}" run -b "$T/b" dup > "$T/o" 2>&1 &
	local pid=$!
	wait_for "$T/o" ready || { kill $pid; fail "first sandbox did not start"; }
	"${UML[@]}" run -b "$T/b" dup 2> "$T/e"
	local rc=$?
	[ -d "$ROOT/dup" ] || fail "the refused run removed the running sandbox's state"
	kill -TERM $pid; wait $pid
	[ "$rc" -ne 0 ] || fail "second run with the same id succeeded"
	grep -q 'container "dup" already exists' "$T/e" || fail "stderr: $(cat "$T/e")"
}

test_sandboxes_run_pinned_without_aslr_and_spread_over_cpus() {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	new_bundle "$T/b" true '["sh", "-c", "echo ready; sleep 30"]'
	"${UML[@]}" "$T/b" > "$T/o1" 2>&1 & local p1=$!
	"${UML[@]}" "$T/b" > "$T/o2" 2>&1 & local p2=$!
	wait_for "$T/o1" ready && wait_for "$T/o2" ready || fail "sandboxes did not start"
	local k1 k2
	k1=$(pgrep -P $p1 | head -n1); k2=$(pgrep -P $p2 | head -n1)
	local c1 c2 pers
	c1=$(awk '/Cpus_allowed_list/ {print $2}' /proc/$k1/status)
	c2=$(awk '/Cpus_allowed_list/ {print $2}' /proc/$k2/status)
	pers=$(cat /proc/$k1/personality)
	kill -TERM $p1 $p2; wait $p1 $p2
	[[ $c1 =~ ^[0-9]+$ && $c2 =~ ^[0-9]+$ ]] || fail "not pinned to one CPU: '$c1' '$c2'"
	[ "$c1" != "$c2" ] || fail "both sandboxes on CPU $c1"
	(( 0x$pers & 0x0040000 )) || fail "ADDR_NO_RANDOMIZE not set: personality $pers"
}

test_kernel_log_lives_in_the_state_directory() {
	new_bundle "$T/b" true '["sh", "-c", "echo ready; sleep 30"]'
	"${UML[@]}" run -b "$T/b" logged > "$T/o" 2>&1 &
	local pid=$!
	wait_for "$T/o" ready || { kill $pid; fail "did not start"; }
	grep -q "Linux version 6.12" "$ROOT/logged/kernel.log" || { kill $pid; fail "no kernel banner in $ROOT/logged/kernel.log"; }
	kill -TERM $pid; wait $pid
	[ ! -e "$ROOT/logged" ] || fail "state directory not removed after exit"
}

test_guest_has_proc_sys_dev_devpts() {
	local out
	out=$(run_in "$UMLRUN_BUNDLE" cat /proc/mounts) || fail "exit $?"
	local fs
	for fs in "/ hostfs" "/proc proc" "/sys sysfs" "/dev devtmpfs" "/dev/pts devpts"; do
		grep -q " $fs " <<< "$out" || fail "no '$fs' mount in: $out"
	done
	grep -q '^none / hostfs ro' <<< "$out" || fail "demo root is not read-only: $out"
}

test_pid_1_is_the_agent_and_reaps() {
	local out
	out=$(run_in "$UMLRUN_BUNDLE" sh -c 'cat /proc/1/cmdline; echo; (sleep 0.1 &); sleep 0.3; ps -o stat,comm | grep -c Z')
	[ "$(head -n1 <<< "$out")" = /init ] || fail "PID 1 is not the agent: $out"
	[ "$(tail -n1 <<< "$out")" = 0 ] || fail "zombies were not reaped: $out"
}
