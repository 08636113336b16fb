# tests/integration/service.sh: CI jobs and services: run --timeout and
# --stats, detached services with logs, stop escalation, attach, limits
# that hold, and many sandboxes at once without leaks.

svc_bundle() { # DIR ARGS_JSON [EXTRA_JSON]
	new_bundle "$1" false "$2" "${3:-}"
}

test_timeout_kills_the_sandbox_and_exits_124() {
	svc_bundle "$T/b" '["sleep", "1000"]'
	"${UML[@]}" run --timeout 1s --bundle "$T/b" t1
	[ $? -eq 124 ] || fail "exit code, want 124"
	[ ! -e "$ROOT/t1" ] || fail "state left after the timeout"
	[ -z "$(kernel_pids)" ] || fail "kernel processes left: $(kernel_pids)"
	"${UML[@]}" run --timeout 1x --bundle "$T/b" t2 2> "$T/e" && fail "bad duration accepted"
	grep -q -- "--timeout 1x" "$T/e" || fail "error: $(cat "$T/e")"
	svc_bundle "$T/q" '["sh", "-c", "exit 5"]'
	"${UML[@]}" run --timeout 5m --bundle "$T/q" t3
	[ $? -eq 5 ] || fail "a process that ends before its timeout keeps its exit code"
}

test_stats_file_reports_the_run() {
	svc_bundle "$T/b" '["sh", "-c", "i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done; exit 3"]'
	"${UML[@]}" run --stats "$T/stats.json" --bundle "$T/b" s1
	[ $? -eq 3 ] || fail "exit code"
	python3 - "$T/stats.json" <<'PY' || fail "stats: $(cat "$T/stats.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exitCode"] == 3 and d["timedOut"] is False, d
assert d["wallSeconds"] > 0 and d["guestCpuSeconds"] > 0, d
assert d["guestPeakMemoryBytes"] > 0, d
assert "netBytesIn" in d and "netBytesOut" in d, d
PY
	svc_bundle "$T/s" '["sleep", "1000"]'
	"${UML[@]}" run --timeout 500ms --stats "$T/t.json" --bundle "$T/s" s2
	python3 -c "import json,sys; d=json.load(open('$T/t.json')); sys.exit(not (d['timedOut'] and d['exitCode'] == 124))" ||
		fail "stats after a timeout: $(cat "$T/t.json")"
}

test_detached_service_logs_and_exit_code() {
	svc_bundle "$T/b" '["sh", "-c", "echo first; echo to-stderr >&2; sleep 0.5; echo last; exit 9"]'
	local out
	out=$("${UML[@]}" run -d --bundle "$T/b" svc) || fail "run -d exited $?"
	[ -z "$out" ] || fail "run -d printed: $out"
	"${UML[@]}" logs -f svc > "$T/log" || fail "logs -f"
	[ "$(cat "$T/log")" = $'first\nto-stderr\nlast' ] || fail "log: $(cat "$T/log")"
	[ "$("${UML[@]}" state svc | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["exitCode"])')" = "stopped 9" ] ||
		fail "state: $("${UML[@]}" state svc)"
	"${UML[@]}" delete svc || fail "delete"
	"${UML[@]}" logs svc 2> "$T/e" && fail "logs of a deleted container"
	grep -q 'does not exist' "$T/e" || fail "error: $(cat "$T/e")"
}

test_stop_escalates_to_sigkill() {
	svc_bundle "$T/b" '["sh", "-c", "trap \"\" TERM; echo ready; while :; do sleep 0.1; done"]'
	"${UML[@]}" run -d --bundle "$T/b" st || fail "run -d"
	local i
	for i in $(seq 100); do "${UML[@]}" logs st | grep -q ready && break; sleep 0.1; done
	"${UML[@]}" stop --time 1 st || fail "stop exited $?"
	[ "$("${UML[@]}" state st | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["exitCode"])')" = "stopped 137" ] ||
		fail "a process that ignores SIGTERM must be SIGKILLed: $("${UML[@]}" state st)"
	svc_bundle "$T/c" '["sh", "-c", "trap \"exit 4\" TERM; echo ready; while :; do sleep 0.1; done"]'
	"${UML[@]}" run -d --bundle "$T/c" st2 || fail "run -d"
	for i in $(seq 100); do "${UML[@]}" logs st2 | grep -q ready && break; sleep 0.1; done
	"${UML[@]}" stop st2 || fail "stop"
	[ "$("${UML[@]}" state st2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["exitCode"])')" = 4 ] ||
		fail "SIGTERM first: $("${UML[@]}" state st2)"
	"${UML[@]}" delete st && "${UML[@]}" delete st2 || fail "delete"
}

test_attach_detach_and_reattach() {
	command -v tmux > /dev/null || skip "tmux is not installed"
	svc_bundle "$T/b" '["sh"]' '"annotations": {}'
	sed -i 's/"terminal": false/"terminal": true/' "$T/b/config.json"
	"${UML[@]}" run -d --bundle "$T/b" at || fail "run -d of a terminal container"
	local tm=(tmux -S "$T/tmux.sock") i
	"${tm[@]}" new-session -d -x 80 -y 24 "${UML[*]} attach at; echo ATTACH-EXIT=\$?; sleep 60"
	"${tm[@]}" send-keys 'echo hello-$((40+2))' Enter
	for i in $(seq 100); do "${tm[@]}" capture-pane -p | grep -q hello-42 && break; sleep 0.1; done
	"${tm[@]}" capture-pane -p | grep -q hello-42 || { "${tm[@]}" kill-server; fail "attached input/output: $("${tm[@]}" capture-pane -p)"; }
	"${tm[@]}" send-keys C-p C-q
	for i in $(seq 100); do "${tm[@]}" capture-pane -p | grep -q ATTACH-EXIT && break; sleep 0.1; done
	"${tm[@]}" capture-pane -p | grep -q ATTACH-EXIT=0 || { "${tm[@]}" kill-server; fail "detach: $("${tm[@]}" capture-pane -p)"; }
	"${tm[@]}" kill-server
	[ "$("${UML[@]}" state at | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = running ] ||
		fail "the container stopped when the client detached"
	"${tm[@]}" new-session -d -x 80 -y 24 "${UML[*]} attach at; echo ATTACH-EXIT=\$?; sleep 60"
	"${tm[@]}" send-keys 'exit 3' Enter
	for i in $(seq 100); do "${tm[@]}" capture-pane -p | grep -q ATTACH-EXIT && break; sleep 0.1; done
	"${tm[@]}" capture-pane -p | grep -q ATTACH-EXIT=3 || { "${tm[@]}" kill-server; fail "attach exit: $("${tm[@]}" capture-pane -p)"; }
	"${tm[@]}" kill-server
	"${UML[@]}" logs at | grep -q hello-42 || fail "the attached session is not in the log"
	"${UML[@]}" delete at || fail "delete"
}

test_memory_hog_is_confined_to_its_sandbox() {
	svc_bundle "$T/other" '["sh", "-c", "echo ready; exec sleep 1000"]'
	"${UML[@]}" run -d --bundle "$T/other" other || fail "run -d"
	svc_bundle "$T/hog" '["sh", "-c", "x=a; while :; do x=$x$x; done"]' \
		'"linux": { "resources": { "memory": { "limit": 67108864 } } }'
	"${UML[@]}" run --timeout 60s --bundle "$T/hog" hog > /dev/null 2>&1
	local rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "the hog was not stopped by its own memory limit (exit $rc)"
	"${UML[@]}" exec other true || fail "the other sandbox stopped answering"
	"${UML[@]}" delete -f other || fail "delete"
}

test_thirty_sandboxes_create_exec_delete_without_leaks() {
	svc_bundle "$T/b" '["sleep", "1000"]'
	local i pids=()
	for i in $(seq 30); do
		"${UML[@]}" create --bundle "$T/b" "m$i" > /dev/null 2>&1 < /dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a create failed"; done
	for i in $(seq 30); do "${UML[@]}" start "m$i" || fail "start m$i"; done
	for i in $(seq 30); do
		[ "$("${UML[@]}" exec "m$i" echo "hi-$i")" = "hi-$i" ] || fail "exec in m$i"
	done
	pids=()
	for i in $(seq 30); do "${UML[@]}" delete -f "m$i" & pids+=($!); done
	for i in "${pids[@]}"; do wait "$i" || fail "a delete failed"; done
	[ -z "$("${UML[@]}" list -q)" ] || fail "containers left: $("${UML[@]}" list -q)"
	for i in $(seq 100); do [ -z "$(kernel_pids)" ] && break; sleep 0.1; done
	[ -z "$(kernel_pids)" ] || fail "kernel processes left: $(kernel_pids)"
	! grep -q "$ROOT" /proc/self/mountinfo || fail "mounts left: $(grep "$ROOT" /proc/self/mountinfo)"
	[ -z "$(find /dev/shm -maxdepth 1 -user "$(id -u)" -newer "$T/b/config.json" -name 'vm_file*' 2> /dev/null)" ] ||
		fail "memory files left in /dev/shm"
}
