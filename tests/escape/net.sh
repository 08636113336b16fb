# tests/escape/net.sh: the network's side of the threat model. netslirp
# parses frames from a hostile guest and holds the host's network, so it
# runs confined (seccomp allow-list, Landlock, no capabilities, no root);
# the guest's NIC is a socket UML makes itself (bess transport), never a
# host fd number; malformed frames (hostile IPv4 fragments among them) do
# not bring netslirp down; a UDP forward's replies open the host's loopback
# to nothing but its clients.

NETSLIRP=${UMLRUN_NETSLIRP:-$UMLRUN_BUILDDIR/netslirp/umlrun-netslirp}

test_netslirp_confinement_refuses_forbidden_calls() {
	local ids=""
	[ "$(id -u)" = 0 ] && ids="$((0x70000000 + 4242)) $((0x70000000 + 4242))"
	# shellcheck disable=SC2086 # two words or none
	"$NETSLIRP" --self-test $ids > "$T/o" 2>&1 || fail "self-test: $(cat "$T/o")"
	cat "$T/o"
	[ "$(grep -c ': blocked' "$T/o")" -ge 7 ] || fail "not every call was tried: $(cat "$T/o")"
	grep -q 'execve /bin/sh: blocked (seccomp)' "$T/o" || fail "exec not killed by seccomp"
	grep -q 'open /etc/passwd: blocked' "$T/o" || fail "host file readable"
}

test_running_netslirp_is_unprivileged_and_confined() {
	new_bundle "$T/b" true '["sh", "-c", "echo ready; sleep 600"]'
	"${UML[@]}" "$T/b" > "$T/o" 2>&1 &
	local pid=$! ns st
	wait_for "$T/o" ready || fail "did not start"
	ns=$(pgrep -f umlrun-netslirp -P $pid)
	st=$(cat /proc/$ns/status)
	local fds
	fds=$(ls /proc/$ns/fd | wc -l)
	kill -TERM $pid; wait $pid
	[ -n "$ns" ] || fail "no netslirp"
	[ "$(awk '/^Seccomp:/ {print $2}' <<< "$st")" = 2 ] || fail "no seccomp filter"
	[ "$(awk '/^NoNewPrivs:/ {print $2}' <<< "$st")" = 1 ] || fail "no no_new_privs"
	[ "$(awk '/^CapEff:/ {print $2}' <<< "$st")" = 0000000000000000 ] || fail "capabilities: $st"
	if [ "$(id -u)" = 0 ]; then
		[ "$(awk '/^Uid:/ {print $2}' <<< "$st")" -ge $((0x70000000)) ] || fail "netslirp runs as root"
		[ "$(awk '/^CapBnd:/ {print $2}' <<< "$st")" = 0000000000000000 ] || fail "bounding set kept"
	fi
}

test_nic_is_a_bess_socket_never_a_host_fd() {
	new_bundle "$T/b" true '["sh", "-c", "for i in 1 2 3 4 5; do ifconfig vec0 down; ifconfig vec0 up; done; echo ready; sleep 600"]'
	"${UML[@]}" "$T/b" > "$T/o" 2>&1 &
	local pid=$! kpid cmd fd target bad="" uml=/uml jailed
	wait_for "$T/o" ready || fail "did not start: $(cat "$T/o")"
	jailed=$(layer_state namespaces)
	kpid=$(pgrep -P $pid | head -n1) # the jail's init, or the kernel
	[ "$jailed" = off ] || kpid=$(pgrep -P "$kpid" | head -n1)
	cmd=$(tr '\0' ' ' < /proc/$kpid/cmdline)
	for fd in $(ls /proc/$kpid/fd); do
		[ "$fd" -le 4 ] && continue # declared: null, log, log, log, control line
		target=$(readlink /proc/$kpid/fd/$fd 2>/dev/null)
		case $target in
		"/tmp/"*|anon_inode:*|pipe:*|socket:*|/dev/pts/*|/dev/null|/uml/*|/rootfs/*|"") ;;
		# without namespaces: host paths of its memory file and own dirs
		"/dev/shm/"*|"$ROOT/"*|"$T/b/rootfs/"*) [ "$jailed" = off ] || bad="$bad $fd->$target" ;;
		*) bad="$bad $fd->$target" ;;
		esac
	done
	[ "$jailed" = on ] || uml=$(ls -d "$ROOT"/*/uml)
	kill -TERM $pid; wait $pid
	grep -q "vec0:transport=bess,dst=$uml/net.sock" <<< "$cmd" || fail "NIC argument: $cmd"
	! grep -q 'transport=fd' <<< "$cmd" || fail "an fd transport: $cmd"
	[ -z "$bad" ] || fail "unexpected fds after down/up:$bad"
	# a kernel parameter cannot bring its own NIC either
	new_bundle "$T/c" true '["true"]' '"vm": {"kernel": {"parameters": ["vec1:transport=fd,fd=3"]}}'
	"${UML[@]}" "$T/c" 2> "$T/e" && fail "a vec1 parameter was accepted"
	true
}

test_malformed_frames_do_not_bring_netslirp_down() {
	gcc -static -O1 -o "$T/net-frames" "$UMLRUN_SRCDIR/tests/escape/net-frames.c" 2> "$T/cc.log" ||
		skip "cannot build a static test program: $(head -3 "$T/cc.log")"
	# then a plain ping, and one of 3000 bytes (its fragments reassembled)
	new_bundle "$T/b" true '["sh", "-c", "echo ready; /net-frames 30000 && ping -c 2 10.0.2.2 && ping -c 2 -s 3000 10.0.2.2"]'
	cp "$T/net-frames" "$T/b/rootfs/net-frames"
	"${UML[@]}" "$T/b" > "$T/o" 2>&1 &
	local pid=$! ns
	wait_for "$T/o" ready || fail "did not start"
	ns=$(pgrep -f umlrun-netslirp -P $pid)
	wait $pid || fail "exit $?: $(cat "$T/o")"
	grep -q 'net-frames: sent' "$T/o" || fail "no frames sent: $(cat "$T/o")"
	grep -q '2 packets received' "$T/o" || fail "netslirp stopped answering: $(cat "$T/o")"
	grep -q '^3008 bytes from 10.0.2.2' "$T/o" || fail "no reply to the fragmented ping: $(cat "$T/o")"
	[ -n "$ns" ] || fail "no netslirp"
}

# A UDP forward answers the clients that sent to it, those on the host's
# loopback too (netslirp/udpfwd.c), though the guest cannot reach the
# host's loopback. A hostile guest (net-udpfwd.c), once a client on
# 127.0.0.1 sent to it, tries to use that to reach the host's loopback: a
# listener there that never sent anything, from the forward's port and
# another; the client, from another port, and from the forward's port by
# way of another address. Only its reply to the client arrives; the other
# datagrams went through netslirp before it, in order.
test_udp_forward_replies_open_the_host_loopback_to_nothing_else() {
	gcc -static -O1 -o "$T/net-udpfwd" "$UMLRUN_SRCDIR/tests/escape/net-udpfwd.c" 2> "$T/cc.log" ||
		skip "cannot build a static test program: $(head -3 "$T/cc.log")"
	local port pid rc
	port=$(python3 -c 'import socket; s=socket.socket(type=socket.SOCK_DGRAM); s.bind(("",0)); print(s.getsockname()[1])')
	new_bundle "$T/b" true '["sh", "-c", "ip route add 10.0.2.99 via 10.0.2.2 && exec /net-udpfwd"]'
	cp "$T/net-udpfwd" "$T/b/rootfs/net-udpfwd"
	"${UML[@]}" run -p "$port:5353/udp" --bundle "$T/b" udpesc > "$T/o" 2> "$T/e" &
	pid=$!
	wait_for "$T/o" ready || fail "guest did not start: $(cat "$T/o" "$T/e")"
	python3 - "$port" > "$T/attacks" 2> "$T/py.err" <<'PY'
import select, socket, sys, time
port = int(sys.argv[1])
names = ["fwd-port-to-loopback-port", "other-port-to-loopback-port", "other-port-to-client",
         "fwd-port-to-client-port-elsewhere"]
arrived = {}
def sock():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s
listener, client = sock(), sock()  # the listener never sends
ask = b"attack %d" % listener.getsockname()[1]
def take(s, secs, until_reply):
    # what s receives for secs: the reply is counted, anything else noted
    got, end = False, time.monotonic() + secs
    while select.select([s], [], [], max(end - time.monotonic(), 0))[0]:
        d, src = s.recvfrom(4096)
        if s is client and d == b"reply:" + ask and src == ("127.0.0.1", port):
            got = True
            if until_reply:
                break
        else:
            arrived.setdefault(d.decode(errors="replace").removeprefix("escaped:"), []).append(
                "%s from %s:%d" % ("listener" if s is listener else "client", *src))
    return got
for _ in range(60):  # the first datagrams may come before the guest's MAC is known
    client.sendto(ask, ("127.0.0.1", port))
    if take(client, 0.5, True):
        break
else:
    sys.exit("no reply to the client through the forward")
take(client, 1, False)  # (a margin: all came in order before the reply)
take(listener, 0, False)
for name in names:
    print("ATTACK udp-forward-%s: %s" % (name, "ESCAPED (%s)" % ", ".join(arrived[name])
          if name in arrived else "blocked by netslirp (nothing arrived)"))
for name in set(arrived) - set(names):
    print("ATTACK udp-forward-unexpected: ESCAPED (%r arrived: %s)" % (name, arrived[name]))
PY
	rc=$?
	"${UML[@]}" kill udpesc KILL
	wait $pid
	cat "$T/attacks"
	[ $rc = 0 ] || fail "$(cat "$T/py.err" "$T/o" "$T/e")"
	[ "$(grep -c ': blocked' "$T/attacks")" = 4 ] && ! grep -q ESCAPED "$T/attacks" ||
		fail "the guest reached the host's loopback: $(cat "$T/attacks")"
	grep -q 'from 10.0.2.2:' "$T/o" || fail "the client was not shown as the gateway: $(cat "$T/o")"
}

# A netslirp taken over through a libslirp bug holds one thing more than
# the guest's frames: its control socket to the monitor, which asks it for
# the byte counts of `run --stats`. Stand-ins answer that request with a
# JSON injection attempt, an oversized message, or nothing: the monitor
# writes valid stats with null byte counts, warns, and the sandbox ends as
# usual with its process's exit code.
test_hostile_netslirp_answers_give_null_byte_counts() {
	local mode
	new_bundle "$T/b" true '["sh", "-c", "exit 7"]'
	for mode in inject huge silent; do
		cat > "$T/netslirp-$mode" <<PY
#!/usr/bin/python3
import select, socket, sys
ctl = socket.socket(fileno=5)
ctl.send(b"ok\n")
while True:
    r, _, _ = select.select([4, 5], [], [])
    if 4 in r or not ctl.recv(64):
        sys.exit(0)
    if "$mode" == "inject":
        ctl.send(b'bytes 1 2, "netBytesOut": 3, "exitCode": 0\n')
    elif "$mode" == "huge":
        ctl.send(b"bytes " + b"9" * 60000 + b" 1\n")
PY
		chmod 755 "$T/netslirp-$mode"
		UMLRUN_NETSLIRP="$T/netslirp-$mode" "${UML[@]}" run --stats "$T/$mode.json" --bundle "$T/b" "ns-$mode" 2> "$T/e"
		[ $? = 7 ] || fail "$mode: exit code: $(cat "$T/e")"
		grep -q "^umlrun: --stats: network bytes unknown: umlrun-netslirp's byte counts" "$T/e" ||
			fail "$mode: stderr: $(cat "$T/e")"
		python3 - "$T/$mode.json" <<'CHECK' || fail "$mode: stats: $(cat "$T/$mode.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["netBytesIn"] is None and d["netBytesOut"] is None and d["exitCode"] == 7, d
CHECK
	done
}

# libslirp translates only its own network's addresses: a guest frame
# addressed to 127.0.0.1 or ::1 itself (raw, past the guest's own stack)
# went out of a host socket to the host's loopback, host-loopback setting
# or not. Listeners on the host's loopback (UDP and TCP, IPv4 and IPv6)
# must get nothing of net-loopback.c's frames.
test_frames_addressed_to_the_host_loopback_reach_nothing() {
	gcc -static -O1 -o "$T/net-loopback" "$UMLRUN_SRCDIR/tests/escape/net-loopback.c" 2> "$T/cc.log" ||
		skip "cannot build a static test program: $(head -3 "$T/cc.log")"
	python3 - "$T/ports" "$T/done" > "$T/attacks" 2> "$T/py.err" <<'PY' &
import os, select, socket, sys, time
ports, done = sys.argv[1], sys.argv[2]
def bound(fam, kind, addr):
    s = socket.socket(fam, kind); s.bind((addr, 0))
    if kind == socket.SOCK_STREAM: s.listen(8)
    return s
u4 = bound(socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1")
t4 = bound(socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1")
u6 = bound(socket.AF_INET6, socket.SOCK_DGRAM, "::1")
t6 = bound(socket.AF_INET6, socket.SOCK_STREAM, "::1")
open(ports + ".tmp", "w").write("%d %d %d %d\n" % tuple(s.getsockname()[1] for s in (u4, t4, u6, t6)))
os.rename(ports + ".tmp", ports)
arrived = {}
while True:
    finished = os.path.exists(done)
    for s in select.select([u4, t4, u6, t6], [], [], 1 if finished else 0.1)[0]:
        if s.type == socket.SOCK_STREAM:
            c, src = s.accept(); c.close()
            name = "tcp-" + ("127.0.0.1" if s is t4 else "::1")
            arrived.setdefault(name, []).append("a connection from %s" % (src,))
        else:
            d, src = s.recvfrom(4096)
            arrived.setdefault(d.decode(errors="replace").removeprefix("escaped:"), []).append(
                "a datagram from %s" % (src,))
    if finished:
        break
names = ["udp-127.0.0.1", "udp-0.0.0.0", "tcp-127.0.0.1", "udp-::1", "tcp-::1",
         "udp-::ffff:127.0.0.1", "udp-::127.0.0.1"]
for name in names:
    print("ATTACK loopback-%s: %s" % (name, "ESCAPED (%s)" % ", ".join(arrived[name])
          if name in arrived else "blocked by netslirp (nothing arrived)"))
for name in set(arrived) - set(names):
    print("ATTACK loopback-unexpected: ESCAPED (%r: %s)" % (name, arrived[name]))
PY
	local py=$! u4 t4 u6 t6
	for i in $(seq 100); do [ -s "$T/ports" ] && break; sleep 0.1; done
	read -r u4 t4 u6 t6 < "$T/ports" || fail "the host listeners did not start: $(cat "$T/py.err")"
	new_bundle "$T/b" true "[\"/net-loopback\", \"$u4\", \"$t4\", \"$u6\", \"$t6\"]"
	cp "$T/net-loopback" "$T/b/rootfs/net-loopback"
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e"
	local rc=$?
	touch "$T/done"
	wait $py
	cat "$T/attacks"
	[ $rc = 0 ] && grep -q '^sent$' "$T/o" || fail "exit $rc: $(cat "$T/o" "$T/e")"
	[ "$(grep -c ': blocked' "$T/attacks")" = 7 ] && ! grep -q ESCAPED "$T/attacks" ||
		fail "the guest reached the host's loopback: $(cat "$T/attacks" "$T/py.err")"
}
