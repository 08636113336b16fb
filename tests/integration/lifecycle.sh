# tests/integration/lifecycle.sh: the OCI lifecycle on the real guest
# kernel: create, start, state, list, ps, exec, kill, pause, resume,
# delete, run -d, features, and what is left when parts of a sandbox die.

# lc_create ID [ARGS_JSON]: a bundle in $T/ID whose process prints "started"
# and then sleeps; created with its stdout and stderr in $T/ID.out.
lc_create() {
	local id=$1 args=${2:-'["sh", "-c", "echo started; exec sleep 1000"]'}
	new_bundle "$T/$id" false "$args"
	"${UML[@]}" create --bundle "$T/$id" --pid-file "$T/$id.pid" "$id" \
		> "$T/$id.out" 2> "$T/$id.err" < /dev/null || fail "create $id: $(cat "$T/$id.err")"
}

# state_field ID FIELD: one field of `umlrun state` (via python3's json).
state_field() {
	"${UML[@]}" state "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"
}

# wait_status ID STATUS: up to ~20 s.
wait_status() {
	local i
	for i in $(seq 200); do
		[ "$(state_field "$1" status 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	fail "container $1 never became $2 (is $(state_field "$1" status 2>&1))"
}

test_create_start_state_delete() {
	lc_create c1
	[ "$(state_field c1 status)" = created ] || fail "status after create: $(state_field c1 status)"
	[ "$(state_field c1 pid)" = "$(cat "$T/c1.pid")" ] || fail "state pid != --pid-file"
	kill -0 "$(cat "$T/c1.pid")" || fail "pid-file pid is not alive"
	[ "$(state_field c1 bundle)" = "$T/c1" ] || fail "bundle: $(state_field c1 bundle)"
	[ ! -s "$T/c1.out" ] || fail "the process ran before start: $(cat "$T/c1.out")"
	"${UML[@]}" start c1 || fail "start exited $?"
	wait_for "$T/c1.out" started || fail "no output after start"
	[ "$(state_field c1 status)" = running ] || fail "status after start"
	"${UML[@]}" start c1 2> "$T/e" && fail "a second start succeeded"
	grep -q "running" "$T/e" || fail "second start error: $(cat "$T/e")"
	"${UML[@]}" delete c1 2> "$T/e" && fail "delete of a running container succeeded"
	grep -q "not stopped: running" "$T/e" || fail "delete error: $(cat "$T/e")"
	"${UML[@]}" kill c1 KILL || fail "kill exited $?"
	wait_status c1 stopped
	[ "$(state_field c1 pid)" = 0 ] || fail "a stopped container reports pid $(state_field c1 pid)"
	"${UML[@]}" delete c1 || fail "delete exited $?"
	[ ! -e "$ROOT/c1" ] || fail "state dir left after delete"
	"${UML[@]}" state c1 2> "$T/e" && fail "state of a deleted container succeeded"
	grep -q 'container "c1" does not exist' "$T/e" || fail "state error: $(cat "$T/e")"
}

test_process_exit_is_recorded_and_monitor_exits_with_it() {
	lc_create c2 '["sh", "-c", "echo bye; exit 3"]'
	local pid
	pid=$(cat "$T/c2.pid")
	"${UML[@]}" start c2 || fail "start"
	wait_status c2 stopped
	wait_for "$T/c2.out" bye || fail "no output"
	python3 -c "import json,sys; d=json.load(open('$ROOT/c2/state.json')); sys.exit(d['umlrun']['exitStatus'] != 3 << 8)" ||
		fail "exit status not recorded: $(cat "$ROOT/c2/state.json")"
	"${UML[@]}" delete c2 || fail "delete"
}

test_kill_positional_named_and_numbered_signals() {
	lc_create c3 '["sh", "-c", "trap \"echo got-usr1\" USR1; echo started; while :; do sleep 0.1; done"]'
	"${UML[@]}" start c3 || fail "start"
	wait_for "$T/c3.out" started || fail "not started"
	"${UML[@]}" kill c3 USR1 || fail "kill USR1"
	wait_for "$T/c3.out" got-usr1 || fail "USR1 did not arrive"
	"${UML[@]}" kill --signal SIGUSR1 c3 || fail "kill --signal"
	"${UML[@]}" kill c3 10 || fail "kill 10"
	"${UML[@]}" kill c3 NOSUCH 2> "$T/e" && fail "unknown signal accepted"
	grep -q 'unknown signal "NOSUCH"' "$T/e" || fail "error: $(cat "$T/e")"
	"${UML[@]}" kill c3 TERM || fail "kill TERM"
	wait_status c3 stopped
	"${UML[@]}" kill c3 TERM 2> "$T/e" && fail "kill of a stopped container succeeded"
	grep -q "not running" "$T/e" || fail "error: $(cat "$T/e")"
	"${UML[@]}" delete c3 || fail "delete"
}

test_kill_all_reaches_every_guest_process() {
	lc_create c4 '["sh", "-c", "trap \"\" TERM; echo started; while :; do sleep 0.1; done"]'
	"${UML[@]}" start c4 || fail "start"
	wait_for "$T/c4.out" started || fail "not started"
	"${UML[@]}" exec -d c4 sh -c 'trap "echo exec-got-term > /tmp/t" TERM; echo > /tmp/ready; while :; do sleep 0.1; done' ||
		fail "exec -d"
	local i ok=
	for i in $(seq 100); do [ -e "$T/c4/rootfs/tmp/ready" ] && break; sleep 0.1; done
	"${UML[@]}" kill --all c4 TERM || fail "kill --all"
	for i in $(seq 100); do
		[ -e "$T/c4/rootfs/tmp/t" ] && { ok=1; break; }
		sleep 0.1
	done
	[ -n "$ok" ] || fail "the exec process did not get SIGTERM from kill --all"
	"${UML[@]}" delete --force c4 || fail "delete --force"
	[ ! -e "$ROOT/c4" ] || fail "state dir left"
}

test_sigkill_ends_a_paused_wedged_guest() {
	lc_create c5
	"${UML[@]}" start c5 || fail "start"
	wait_for "$T/c5.out" started || fail "not started"
	"${UML[@]}" pause c5 || fail "pause"
	[ "$(state_field c5 status)" = paused ] || fail "status after pause"
	"${UML[@]}" kill c5 KILL || fail "kill KILL"
	wait_status c5 stopped
	"${UML[@]}" delete c5 || fail "delete"
	[ -z "$(kernel_pids)" ] || fail "kernel processes left: $(kernel_pids)"
}

test_pause_stops_the_guest_and_resume_continues_it() {
	lc_create c6 '["sh", "-c", "echo started; i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done"]'
	"${UML[@]}" start c6 || fail "start"
	wait_for "$T/c6.out" started || fail "not started"
	"${UML[@]}" resume c6 2> "$T/e" && fail "resume of a running container succeeded"
	"${UML[@]}" pause c6 || fail "pause"
	sleep 0.3
	local a b
	a=$(cat "$T/c6/rootfs/tmp/n")
	sleep 1
	b=$(cat "$T/c6/rootfs/tmp/n")
	[ "$a" = "$b" ] || fail "the guest ran while paused ($a -> $b)"
	"${UML[@]}" resume c6 || fail "resume"
	[ "$(state_field c6 status)" = running ] || fail "status after resume"
	"${UML[@]}" exec c6 true || fail "exec after resume"
	"${UML[@]}" delete -f c6 || fail "delete -f"
}

test_exec_stdio_exit_code_and_options() {
	lc_create c7
	"${UML[@]}" start c7 || fail "start"
	local out rc
	out=$("${UML[@]}" exec c7 sh -c 'echo out; echo err >&2; exit 5' 2> "$T/e")
	rc=$?
	[ "$rc" -eq 5 ] || fail "exec exit code $rc, want 5"
	[ "$out" = out ] || fail "stdout: $out"
	[ "$(cat "$T/e")" = err ] || fail "stderr: $(cat "$T/e")"
	"${UML[@]}" exec c7 no-such-command 2> /dev/null
	[ $? -eq 127 ] || fail "missing command: want 127"
	"${UML[@]}" exec c7 sh -c 'kill -TERM $$'
	[ $? -eq 143 ] || fail "killed exec: want 143"
	out=$("${UML[@]}" exec --env FOO=bar --env PATH=/bin:/sbin --cwd /tmp --user 1000:1001 \
		--additional-gids 7 c7 sh -c 'echo $FOO $PATH $(pwd) $(id -u) $(id -g) $(id -G)')
	[ "$out" = "bar /bin:/sbin /tmp 1000 1001 1001 7" ] || fail "exec options: $out"
	cat > "$T/proc.json" <<'JSON'
{ "args": ["sh", "-c", "echo from-process-json $X; exit 9"], "env": ["X=y", "PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0} }
JSON
	out=$("${UML[@]}" exec --process "$T/proc.json" c7)
	rc=$?
	[ "$rc" -eq 9 ] && [ "$out" = "from-process-json y" ] || fail "--process: rc $rc out $out"
	echo '{ "args": [] }' > "$T/bad.json"
	"${UML[@]}" exec --process "$T/bad.json" c7 2> "$T/e" && fail "bad --process accepted"
	grep -q "bad.json" "$T/e" || fail "error does not name the file: $(cat "$T/e")"
	"${UML[@]}" delete -f c7 || fail "delete"
}

test_exec_stdin_is_binary_clean() {
	lc_create c8
	"${UML[@]}" start c8 || fail "start"
	head -c 3000000 /dev/urandom > "$T/blob"
	"${UML[@]}" exec c8 cat < "$T/blob" > "$T/blob.out" || fail "exec cat exited $?"
	cmp -s "$T/blob" "$T/blob.out" || fail "stdin/stdout through exec changed the bytes ($(stat -c %s "$T/blob.out") bytes back)"
	"${UML[@]}" delete -f c8 || fail "delete"
}

test_exec_detach_writes_pid_file_and_returns() {
	lc_create c9
	"${UML[@]}" start c9 || fail "start"
	"${UML[@]}" exec --detach --pid-file "$T/x.pid" c9 sh -c 'sleep 0.5; echo detached-done' \
		> "$T/x.out" || fail "exec -d exited $?"
	[ -s "$T/x.pid" ] || fail "no pid file"
	wait_for "$T/x.out" detached-done || fail "detached process output missing"
	"${UML[@]}" exec c9 sh -c 'exit 0' || fail "exec after a detached one"
	"${UML[@]}" delete -f c9 || fail "delete"
}

test_exec_refused_unless_running() {
	lc_create c10
	"${UML[@]}" exec c10 true 2> "$T/e" && fail "exec in a created container succeeded"
	grep -q "it is created" "$T/e" || fail "error: $(cat "$T/e")"
	"${UML[@]}" exec nosuch true 2> "$T/e" && fail "exec in a missing container succeeded"
	grep -q 'container "nosuch" does not exist' "$T/e" || fail "error: $(cat "$T/e")"
	"${UML[@]}" delete c10 || fail "delete of a created container"
	[ ! -e "$ROOT/c10" ] || fail "state left"
}

test_list_and_ps() {
	lc_create l1
	lc_create l2
	"${UML[@]}" start l2 || fail "start"
	local out
	out=$("${UML[@]}" list -q) || fail "list -q"
	[ "$out" = $'l1\nl2' ] || fail "list -q: $out"
	"${UML[@]}" list | grep -q "^l1 .* created " || fail "list table: $("${UML[@]}" list)"
	"${UML[@]}" list --format json | python3 -c '
import json, sys
d = {c["id"]: c["status"] for c in json.load(sys.stdin)}
sys.exit(d != {"l1": "created", "l2": "running"})' || fail "list json: $("${UML[@]}" list --format json)"
	"${UML[@]}" ps --format json l2 | python3 -c "
import json, sys
p = json.load(sys.stdin)
sys.exit(not (p[0] == $(cat "$T/l2.pid") and len(p) >= 3))" || fail "ps json: $("${UML[@]}" ps --format json l2)"
	"${UML[@]}" ps l2 | grep -q "^UID" || fail "ps table"
	"${UML[@]}" delete -f l1 && "${UML[@]}" delete -f l2 || fail "delete"
	[ -z "$("${UML[@]}" list -q)" ] || fail "list after delete"
}

test_run_detach_then_state() {
	new_bundle "$T/d" false '["sh", "-c", "echo detached; exec sleep 1000"]'
	"${UML[@]}" run -d --bundle "$T/d" --pid-file "$T/d.pid" rd > "$T/d.out" < /dev/null ||
		fail "run -d exited $?"
	[ "$(state_field rd status)" = running ] || fail "status after run -d"
	[ ! -s "$T/d.out" ] || fail "run -d printed: $(cat "$T/d.out")"
	local i
	for i in $(seq 100); do "${UML[@]}" logs rd | grep -q detached && break; sleep 0.1; done
	"${UML[@]}" logs rd | grep -q detached || fail "no output in the log: $("${UML[@]}" logs rd)"
	"${UML[@]}" delete --force rd || fail "delete --force"
	[ ! -e "$ROOT/rd" ] || fail "state left"
}

test_create_errors_leave_nothing() {
	lc_create dup
	"${UML[@]}" create --bundle "$T/dup" dup 2> "$T/e" && fail "a second create with the same id succeeded"
	grep -q 'already exists' "$T/e" || fail "error: $(cat "$T/e")"
	[ "$(state_field dup status)" = created ] || fail "the existing container was damaged"
	"${UML[@]}" delete dup || fail "delete"
	"${UML[@]}" create --bundle "$T/nonexistent" x 2> "$T/e" && fail "create with a missing bundle succeeded"
	grep -q "$T/nonexistent" "$T/e" || fail "error does not name the bundle: $(cat "$T/e")"
	[ ! -e "$ROOT/x" ] || fail "state left by a failed create"
	"${UML[@]}" create --bundle "$T/dup" 'bad/id' 2> "$T/e" && fail "bad id accepted"
	"${UML[@]}" delete nosuch 2> "$T/e" && fail "delete of a missing container succeeded"
	"${UML[@]}" delete --force nosuch || fail "delete --force of a missing container failed"
}

test_sigkill_of_the_monitor_leaves_nothing_after_delete() {
	lc_create m1
	"${UML[@]}" start m1 || fail "start"
	kill -KILL "$(cat "$T/m1.pid")"
	wait_status m1 stopped
	local i
	for i in $(seq 100); do [ -z "$(kernel_pids)" ] && break; sleep 0.1; done
	[ -z "$(kernel_pids)" ] || fail "kernel processes outlived their monitor: $(kernel_pids)"
	"${UML[@]}" delete m1 || fail "delete"
	[ ! -e "$ROOT/m1" ] || fail "state left"
}

test_sigkill_of_the_kernel_process_stops_the_container() {
	lc_create m2
	"${UML[@]}" start m2 || fail "start"
	local vm
	vm=$(python3 -c "import json; print(json.load(open('$ROOT/m2/state.json'))['umlrun']['vmPid'])")
	kill -KILL "$vm"
	wait_status m2 stopped
	local i
	for i in $(seq 100); do [ -z "$(kernel_pids)" ] && break; sleep 0.1; done
	[ -z "$(kernel_pids)" ] || fail "kernel processes left: $(kernel_pids)"
	for i in $(seq 100); do kill -0 "$(cat "$T/m2.pid")" 2> /dev/null || break; sleep 0.1; done
	kill -0 "$(cat "$T/m2.pid")" 2> /dev/null && fail "the monitor outlived its kernel"
	"${UML[@]}" delete m2 || fail "delete"
	[ ! -e "$ROOT/m2" ] || fail "state left"
}

test_features_document() {
	"${UML[@]}" features | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["ociVersionMin"] == "1.0.0", d
assert "poststop" in d["hooks"], d
assert "run.umlrun.layer.namespaces" in d["annotations"], d' || fail "features: $("${UML[@]}" features)"
}

test_hooks_run_in_order_with_the_state_on_stdin() {
	cat > "$T/hook" <<'SH'
#!/bin/sh
status=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["id"])')
echo "$1 $status" >> "$(dirname "$0")/hooks.log"
SH
	chmod +x "$T/hook"
	local h k hooks=
	for k in prestart createRuntime createContainer startContainer poststart poststop; do
		h="{\"path\": \"$T/hook\", \"args\": [\"hook\", \"$k\"]}"
		hooks+="${hooks:+, }\"$k\": [$h]"
	done
	new_bundle "$T/hk" false '["sh", "-c", "echo started; exec sleep 1000"]' "\"hooks\": { $hooks }"
	"${UML[@]}" create --bundle "$T/hk" hk > "$T/hk.out" < /dev/null || fail "create"
	[ "$(cat "$T/hooks.log")" = $'prestart creating hk\ncreateRuntime creating hk\ncreateContainer creating hk' ] ||
		fail "hooks after create: $(cat "$T/hooks.log")"
	"${UML[@]}" start hk || fail "start"
	"${UML[@]}" delete -f hk || fail "delete"
	[ "$(tail -n 3 "$T/hooks.log")" = $'startContainer created hk\npoststart running hk\npoststop stopped hk' ] ||
		fail "hooks after start and delete: $(cat "$T/hooks.log")"
}

test_failing_hook_fails_create_with_its_stderr() {
	printf '#!/bin/sh\necho "hook says no" >&2\nexit 3\n' > "$T/badhook"
	chmod +x "$T/badhook"
	new_bundle "$T/hb" false '["true"]' "\"hooks\": { \"createRuntime\": [{\"path\": \"$T/badhook\"}] }"
	"${UML[@]}" create --bundle "$T/hb" hb 2> "$T/e" < /dev/null && fail "create succeeded"
	grep -q "createRuntime hook $T/badhook failed with exit status 3: hook says no" "$T/e" ||
		fail "error: $(cat "$T/e")"
	[ ! -e "$ROOT/hb" ] || fail "state left by the failed create"
	printf '#!/bin/sh\nsleep 100\n' > "$T/slowhook"
	chmod +x "$T/slowhook"
	new_bundle "$T/hs" false '["true"]' "\"hooks\": { \"prestart\": [{\"path\": \"$T/slowhook\", \"timeout\": 1}] }"
	"${UML[@]}" create --bundle "$T/hs" hs 2> "$T/e" < /dev/null && fail "create with a hanging hook succeeded"
	grep -q "prestart hook $T/slowhook timed out after 1 s" "$T/e" || fail "error: $(cat "$T/e")"
	[ ! -e "$ROOT/hs" ] || fail "state left"
}
