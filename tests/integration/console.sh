# tests/integration/console.sh: terminals (issue 8): an interactive busybox
# shell under a real terminal (tmux: send-keys types, capture-pane reads),
# through `umlrun BUNDLE -t`, `umlrun run -t`, process.terminal and
# `exec -t`; window size; job control; --console-socket (the runc
# protocol, with tests/integration/console-receiver.py); the host terminal's
# settings restored on every exit; no kernel messages on the terminal.

. "$UMLRUN_SRCDIR/tests/tmux.sh"

# q ARGS...: the arguments, quoted for the shell in the pane.
q() { printf '%q ' "$@"; }

# con_no_kernel_messages: the pane never showed the guest kernel's log.
con_no_kernel_messages() {
	local bad
	bad=$(con_pane | grep -E 'Linux version|^\[ *[0-9]+\.[0-9]+\]|Kernel command line|Kernel panic|Freeing unused|Run /init|reboot: ' | head -n 5)
	[ -z "$bad" ] || fail "kernel messages on the workload's terminal: $bad"
}

# con_bundle DIR [TERMINAL(true|false)] [ARGS_JSON]: new_bundle with
# process.terminal set.
con_bundle() {
	local args='["sh"]'
	[ $# -ge 3 ] && args=$3
	new_bundle "$1" false "$args"
	[ "${2:-false}" = true ] && sed -i 's/"terminal": false/"terminal": true/' "$1/config.json"
	return 0
}

# con_shell_session CMD...: types CMD (an interactive busybox sh on the
# pane's terminal) and drives it: prompt, a command, Ctrl-C of a foreground
# job, the shell surviving, `tty`, and `exit 3` reaching the host.
con_shell_session() {
	con_type "$(q "$@"); echo EXIT=\$?"
	con_at_prompt
	con_type 'echo $((6*7))'
	con_expect '^42$' "typed command did not run"
	con_type 'tty'
	con_expect '^/dev/pts/[0-9]+$' "tty is not a /dev/pts path"
	# the child prints once it is the foreground job, then becomes sleep
	con_type "sh -c 'echo sleeping-\$((1+1)); exec sleep 100'"
	con_expect '^sleeping-2$' "the foreground job did not start"
	TM send-keys -t con C-c
	con_at_prompt
	con_type 'echo status-$?'
	con_expect '^status-130$' "Ctrl-C did not end the foreground job with SIGINT"
	con_type 'echo survived-$((40+2))'
	con_expect '^survived-42$' "the shell did not survive Ctrl-C"
	con_type 'exit 3'
	con_expect '^EXIT=3$' "exit 3 did not give exit code 3"
	con_no_kernel_messages
}

test_console_bundle_t_interactive_shell() {
	con_bundle "$T/b"
	con_start
	con_shell_session "${UML[@]}" "$T/b" -t sh
	con_end
}

test_console_run_t_interactive_shell() {
	con_bundle "$T/b"
	con_start
	con_shell_session "${UML[@]}" run -t --bundle "$T/b" c1
	con_end
	[ ! -e "$ROOT/c1" ] || fail "run -t left its state"
}

test_console_process_terminal_true_without_t() {
	con_bundle "$T/b" true
	con_start
	con_shell_session "${UML[@]}" "$T/b"
	con_end
}

test_console_run_t_follows_window_size() {
	con_bundle "$T/b"
	con_start
	con_type "$(q "${UML[@]}" run -t --bundle "$T/b" c1); echo EXIT=\$?"
	con_at_prompt
	con_type 'echo size-$(stty size | tr " " x)'
	con_expect '^size-24x80$' "initial window size"
	con_resize_and_check 70 15
	con_resize_and_check 100 30
	con_type 'exit 0'
	con_expect '^EXIT=0$' "exit"
	con_no_kernel_messages
	con_end
}

test_console_exec_t_follows_window_size() {
	con_bundle "$T/b" false '["sh", "-c", "echo started; exec sleep 1000"]'
	"${UML[@]}" create --bundle "$T/b" c1 > "$T/c1.out" 2> "$T/c1.err" < /dev/null ||
		fail "create: $(cat "$T/c1.err")"
	"${UML[@]}" start c1 || { "${UML[@]}" delete -f c1; fail "start"; }
	wait_for "$T/c1.out" started || { "${UML[@]}" delete -f c1; fail "not started"; }
	con_start
	con_type "$(q "${UML[@]}" exec -t c1 sh); echo EXIT=\$?"
	con_at_prompt
	con_type 'tty'
	con_expect '^/dev/pts/[0-9]+$' "exec -t: tty is not a /dev/pts path"
	con_type 'echo size-$(stty size | tr " " x)'
	con_expect '^size-24x80$' "exec -t: initial window size"
	con_resize_and_check 70 15
	con_type "sh -c 'echo sleeping-\$((1+1)); exec sleep 100'"
	con_expect '^sleeping-2$' "exec -t: the foreground job did not start"
	TM send-keys -t con C-c
	con_at_prompt
	con_type 'echo status-$?'
	con_expect '^status-130$' "exec -t: Ctrl-C"
	con_type 'exit 4'
	con_expect '^EXIT=4$' "exec -t: exit 4 did not give exit code 4"
	con_no_kernel_messages
	con_end
	"${UML[@]}" state c1 | grep -q '"running"' || fail "the container did not survive the exec session"
	"${UML[@]}" delete -f c1 || fail "delete -f"
}

test_console_job_control() {
	con_bundle "$T/b"
	con_start
	con_type "$(q "${UML[@]}" "$T/b" -t sh); echo EXIT=\$?"
	con_at_prompt
	con_type 'sleep 100 &'
	con_at_prompt
	con_type 'jobs'
	con_expect '^\[1\]\+ +Running +sleep 100$' "jobs does not list the background job"
	con_type 'fg'
	con_expect '^sleep 100$' "fg"
	# fg prints before it hands the terminal over: repeat Ctrl-C until
	# the prompt is back
	local i
	for i in $(seq 20); do
		TM send-keys -t con C-c
		sleep 0.3
		[[ $(con_last) =~ ^/\ \#$ ]] && break
	done
	con_at_prompt
	con_type 'echo fg-status-$?; jobs; echo jobs-end'
	con_expect '^fg-status-130$' "Ctrl-C did not end the job brought back with fg"
	con_expect '^jobs-end$' "jobs"
	! con_pane | sed -n '/fg-status-130/,/jobs-end/p' | grep -q 'sleep 100' ||
		fail "the job is still listed after Ctrl-C"
	# Ctrl-Z stops a foreground job; kill %1 ends it
	con_type 'sleep 100'
	sleep 0.5
	for i in $(seq 20); do
		con_pane | grep -Eq 'Stopped +sleep 100' && break
		TM send-keys -t con C-z
		sleep 0.3
	done
	con_expect 'Stopped +sleep 100' "Ctrl-Z did not stop the job"
	con_at_prompt
	con_type 'kill -9 %1'
	# `jobs` reports the killed job once the shell has reaped it
	for i in $(seq 20); do
		con_at_prompt
		con_type 'jobs'
		con_wait 'Killed +sleep 100' 5 && break
	done
	con_expect 'Killed +sleep 100' "the stopped job was not killed"
	con_at_prompt
	con_type 'exit 0'
	con_expect '^EXIT=0$' "exit after Ctrl-Z"
	con_no_kernel_messages
	con_end
}

# ---- the host terminal ----

# con_stty_roundtrip NAME CMD...: runs CMD in the pane between two
# `stty -g` of its terminal; fails unless they are equal. Sets CON_RC to
# CMD's exit code.
con_stty_roundtrip() {
	local name=$1
	shift
	con_type "stty -g > $(q "$T/$name.before"); $(q "$@"); echo EXIT-$name=\$?; stty -g > $(q "$T/$name.after"); echo done-$name"
	con_expect "^done-$name\$" "$name: the command did not return"
	cmp -s "$T/$name.before" "$T/$name.after" ||
		fail "$name: terminal settings not restored: $(cat "$T/$name.before") -> $(cat "$T/$name.after")"
	CON_RC=$(con_pane | sed -n "s/^EXIT-$name=//p" | tail -n 1)
}

test_console_host_terminal_restored() {
	con_bundle "$T/b"
	con_bundle "$T/b5" false '["sh", "-c", "stty size > /dev/null; exit 5"]'
	con_start
	# the workload killed by SIGKILL
	con_stty_roundtrip killed "${UML[@]}" "$T/b" -t sh -c 'kill -KILL $$'
	[ "$CON_RC" = 137 ] || fail "SIGKILLed workload: exit code $CON_RC, want 137"
	# normal exits, through both entry points
	con_stty_roundtrip normal "${UML[@]}" "$T/b" -t sh -c 'stty size > /dev/null; exit 0'
	[ "$CON_RC" = 0 ] || fail "normal exit: exit code $CON_RC"
	con_stty_roundtrip run "${UML[@]}" run -t --bundle "$T/b5" c2
	[ "$CON_RC" = 5 ] || fail "run -t: exit code $CON_RC, want 5"
	# an interactive session left with exit
	con_type "stty -g > $(q "$T/i.before"); $(q "${UML[@]}" "$T/b" -t sh); stty -g > $(q "$T/i.after"); echo done-i"
	con_at_prompt
	con_type 'exit'
	con_expect '^done-i$' "interactive: the session did not end"
	cmp -s "$T/i.before" "$T/i.after" || fail "interactive: terminal settings not restored"
	# and the host shell is back in cooked mode
	con_type 'echo cooked-$((2*21))'
	con_expect '^cooked-42$' "the host shell after umlrun"
	con_no_kernel_messages
	con_end
	[ ! -e "$ROOT/c2" ] || fail "run -t left its state"
}

# ---- --console-socket (runc protocol) ----

RECEIVER=$UMLRUN_SRCDIR/tests/integration/console-receiver.py

# receiver_start NAME: the receiver on $T/NAME.sock, output in $T/NAME.out.
receiver_start() {
	command -v python3 > /dev/null || skip "python3 is not installed"
	timeout 90 python3 "$RECEIVER" "$T/$1.sock" "$T/$1.out" 2> "$T/$1.rerr" &
	RECEIVER_PID=$!
	local i
	for i in $(seq 100); do [ -e "$T/$1.sock.ready" ] && return 0; sleep 0.1; done
	fail "the receiver did not start: $(cat "$T/$1.rerr")"
}

# receiver_check NAME: the receiver got a working pty master.
receiver_check() {
	wait "$RECEIVER_PID" || fail "receiver: $(cat "$T/$1.rerr")"
	grep -q '^hi-from-2' "$T/$1.out" ||
		fail "no hi-from-2 from the pty master: $(cat -A "$T/$1.out" | tail -n 10)"
	! grep -Eq 'Linux version|^\[ *[0-9]+\.[0-9]+\]' "$T/$1.out" ||
		fail "kernel messages on the console socket's terminal"
}

test_console_socket_run() {
	con_bundle "$T/b" true
	receiver_start r1
	timeout 120 "${UML[@]}" run --console-socket "$T/r1.sock" --bundle "$T/b" c1 \
		< /dev/null > "$T/run.out" 2> "$T/run.err"
	local rc=$?
	[ "$rc" -eq 6 ] || { kill "$RECEIVER_PID" 2> /dev/null
		fail "run --console-socket: exit code $rc, want 6 ($(cat "$T/run.err" "$T/r1.rerr"; cat -A "$T/r1.out" 2>/dev/null | tail -n 5))"; }
	receiver_check r1
	[ ! -s "$T/run.out" ] || fail "the workload wrote to umlrun's stdout: $(cat "$T/run.out")"
}

test_console_socket_create_start_delete() {
	con_bundle "$T/b" true
	receiver_start r2
	"${UML[@]}" create --console-socket "$T/r2.sock" --bundle "$T/b" --pid-file "$T/pid" c1 \
		< /dev/null > "$T/create.out" 2> "$T/create.err" ||
		{ kill "$RECEIVER_PID"; fail "create: $(cat "$T/create.err")"; }
	[ "$("${UML[@]}" state c1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = created ] ||
		{ "${UML[@]}" delete -f c1; fail "not created"; }
	"${UML[@]}" start c1 || { "${UML[@]}" delete -f c1; fail "start"; }
	receiver_check r2
	local i st=
	for i in $(seq 200); do
		st=$("${UML[@]}" state c1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
		[ "$st" = stopped ] && break
		sleep 0.1
	done
	[ "$st" = stopped ] || { "${UML[@]}" delete -f c1; fail "status $st after exit 6"; }
	python3 -c "import json,sys; d=json.load(open('$ROOT/c1/state.json')); sys.exit(d['umlrun']['exitStatus'] != 6 << 8)" ||
		{ "${UML[@]}" delete -f c1; fail "exit status 6 not recorded: $(cat "$ROOT/c1/state.json")"; }
	"${UML[@]}" delete c1 || fail "delete"
	[ ! -e "$ROOT/c1" ] || fail "state left after delete"
}

test_console_create_terminal_needs_console_socket() {
	con_bundle "$T/b" true
	"${UML[@]}" create --bundle "$T/b" c1 < /dev/null > "$T/out" 2> "$T/err" &&
		{ "${UML[@]}" delete -f c1; fail "create of a terminal bundle without --console-socket succeeded"; }
	grep -q -- '--console-socket' "$T/err" || fail "error does not name --console-socket: $(cat "$T/err")"
	[ ! -e "$ROOT/c1" ] || fail "state left: $(ls -la "$ROOT/c1")"
	"${UML[@]}" state c1 2> /dev/null && fail "the failed create left a container"
	[ -z "$(kernel_pids)" ] || fail "kernel processes left: $(kernel_pids)"
}

test_console_t_with_piped_input_ends_at_eof() {
	# the end of input reaches a terminal process as its EOF character
	local out
	out=$(echo 'piped-line' | "${UML[@]}" "$UMLRUN_BUNDLE" -t cat 2>&1)
	local rc=$?
	[ "$rc" -eq 0 ] || fail "exit $rc: $out"
	[ "$(grep -c 'piped-line' <<< "$out")" -ge 1 ] || fail "output: $out"
}
