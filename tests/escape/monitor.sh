# tests/escape/monitor.sh: attacks on the host-side monitor through what
# the kernel process controls. The kernel owns its UML directory (STATE/uml,
# /uml in its view): code running as the kernel can replace anything there
# with symlinks. These tests make those replacements from the host (with
# the powers the kernel process has over that directory) and check that the
# monitor, which may run as root, neither follows them nor writes where
# they point.

mon_setup() {
	new_bundle "$T/b" false '["sh", "-c", "echo started; exec sleep 1000"]'
	"${UML[@]}" create --bundle "$T/b" m > "$T/out" 2>&1 < /dev/null || fail "create: $(cat "$T/out")"
	"${UML[@]}" start m || fail "start"
	wait_for "$T/out" started || fail "not started"
	[ -S "$ROOT/m/uml/u/mconsole" ] || fail "no mconsole socket in $ROOT/m/uml/u"
}

# A datagram socket that records whatever reaches it.
victim_socket() {
	python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
open(sys.argv[2], "w").write("ready\n"); s.settimeout(20)
try:
    d=s.recv(4096); open(sys.argv[2], "a").write("received %d bytes\n" % len(d))
except socket.timeout:
    pass' "$1" "$2" &
	VICTIM=$!
	wait_for "$2" ready || fail "victim socket did not start"
}

test_pause_does_not_follow_a_symlinked_mconsole_socket() {
	mon_setup
	victim_socket "$T/victim.sock" "$T/victim.log"
	mv "$ROOT/m/uml/u/mconsole" "$ROOT/m/uml/u/mconsole.real"
	ln -s "$T/victim.sock" "$ROOT/m/uml/u/mconsole"
	"${UML[@]}" pause m 2> "$T/e" && fail "pause through a symlinked mconsole socket succeeded"
	grep -q "management console" "$T/e" || fail "error: $(cat "$T/e")"
	kill "$VICTIM" 2> /dev/null; wait "$VICTIM" 2> /dev/null
	! grep -q received "$T/victim.log" || fail "the monitor sent to the symlink's target: $(cat "$T/victim.log")"
	"${UML[@]}" delete -f m || fail "delete"
}

test_pause_creates_nothing_through_a_symlinked_uml_directory() {
	mon_setup
	mkdir "$T/target"
	mv "$ROOT/m/uml/u" "$ROOT/m/uml/u.real"
	ln -s "$T/target" "$ROOT/m/uml/u"
	ln -s "$ROOT/m/uml/u.real/mconsole" "$T/target/mconsole"
	"${UML[@]}" pause m 2> "$T/e" && fail "pause through a symlinked uml directory succeeded"
	[ -z "$(ls -A "$T/target" | grep -v '^mconsole$')" ] ||
		fail "the monitor created files through the symlink: $(ls -la "$T/target")"
	"${UML[@]}" delete -f m || fail "delete"
}

test_mconsole_reply_directory_is_not_writable_by_the_kernel() {
	[ "$(id -u)" -eq 0 ] || skip "the kernel runs as the caller's uid when umlrun is not root"
	mon_setup
	local owner
	owner=$(stat -c %u "$ROOT/m/mc")
	[ "$owner" = 0 ] || fail "reply directory owned by $owner"
	[ "$(stat -c %a "$ROOT/m/mc")" = 755 ] || fail "reply directory mode $(stat -c %a "$ROOT/m/mc")"
	"${UML[@]}" pause m && "${UML[@]}" resume m || fail "pause/resume"
	[ -z "$(ls -A "$ROOT/m/mc")" ] || fail "reply sockets left: $(ls -A "$ROOT/m/mc")"
	"${UML[@]}" delete -f m || fail "delete"
}
