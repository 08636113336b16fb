# tests/integration/net.sh: the sandbox's network (umlrun-netslirp), with
# the real guest kernel and real packets: the guest's interface, addresses
# and name files; 100 MiB each way with matching sha256 (host -> guest
# through a `run -p` forward; both ways through the opted-in host
# loopback, with and without the receive offload and at MTU 65520); the
# guest's TCP receive buffers; UDP datagrams over the MTU each way (the
# guest's fragments reassembled by netslirp); UDP forwards answering their
# clients, on the host's loopback too; data sent just before the workload
# exits; the host's loopback unreachable by default; mode none; the NIC
# surviving down/up and strace attaching to netslirp; forwards in
# `umlrun state`; bad options refused.

BIG_MIB=100

# A free TCP port on the host's loopback (printed).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# net_bundle DIR ARGS_JSON [ANNOTATIONS_JSON] [readonly]
net_bundle() {
	new_bundle "$1" "${4:-true}" "$2" "${3:+\"annotations\": $3}"
}

# A 100 MiB file of random bytes in $T/big and its sha256 in $BIG_SHA.
make_big() {
	head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom > "$T/big"
	BIG_SHA=$(sha256sum < "$T/big" | cut -c1-64)
}

# A host HTTP server on 127.0.0.1:$HTTP_PORT serving $T/www.
start_http() {
	mkdir -p "$T/www"
	HTTP_PORT=$(free_port)
	(cd "$T/www" && exec python3 -m http.server "$HTTP_PORT" --bind 127.0.0.1) > "$T/http.log" 2>&1 &
	HTTP_PID=$!
	local i
	for i in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && return 0
		sleep 0.1
	done
	fail "the host http server did not start: $(cat "$T/http.log")"
}

# A host TCP sink on 127.0.0.1:$SINK_PORT: writes "SHA256 BYTES" of what
# one connection sent, up to its EOF, to $T/sink.out, then answers BYTES
# and closes: a guest's `nc HOST PORT < FILE` ends once every byte is in.
start_sink() {
	SINK_PORT=$(free_port)
	python3 -c 'import socket, hashlib, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
print("listening", flush=True)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    d = c.recv(1 << 20)
    if not d: break
    h.update(d); n += len(d)
open(sys.argv[2], "w").write("%s %d\n" % (h.hexdigest(), n))
try:
    c.sendall(b"%d\n" % n); c.close()
except OSError:
    pass' "$SINK_PORT" "$T/sink.out" > "$T/sink.log" 2>&1 &
	SINK_PID=$!
	wait_for "$T/sink.log" listening || fail "the sink did not start"
}

test_net_guest_has_address_route_and_name_files() {
	net_bundle "$T/b" '["sh", "-c", "ifconfig vec0; route -n; cat /etc/resolv.conf /etc/hosts"]'
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e" || fail "exit $?: $(cat "$T/e")"
	grep -q 'inet addr:10.0.2.15 .*Mask:255.255.255.0' "$T/o" || fail "no address: $(cat "$T/o")"
	grep -Eq '^0\.0\.0\.0 +10\.0\.2\.2 .* vec0' "$T/o" || fail "no default route: $(cat "$T/o")"
	grep -q '^nameserver 10.0.2.3' "$T/o" || fail "no resolv.conf: $(cat "$T/o")"
	grep -q '10.0.2.15.*testbox' "$T/o" || fail "no hosts entry: $(cat "$T/o")"
	# the root was read-only and had neither file: the host's copy is untouched
	[ ! -e "$T/b/rootfs/etc/resolv.conf" ] && [ ! -e "$T/b/rootfs/etc/hosts" ] ||
		fail "the rootfs on the host was written"
}

test_net_existing_name_files_are_covered_not_written() {
	net_bundle "$T/b" '["sh", "-c", "cat /etc/resolv.conf; echo x > /etc/resolv.conf && echo wrote"]' '' false
	echo "nameserver 192.0.2.1" > "$T/b/rootfs/etc/resolv.conf"
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e" || fail "exit $?: $(cat "$T/e")"
	grep -q '^nameserver 10.0.2.3' "$T/o" || fail "resolv.conf not provided: $(cat "$T/o")"
	[ "$(cat "$T/b/rootfs/etc/resolv.conf")" = "nameserver 192.0.2.1" ] ||
		fail "the host's resolv.conf changed: $(cat "$T/b/rootfs/etc/resolv.conf")"
}

test_net_ping_and_ipv6_address() {
	# ping of the gateway is answered by libslirp itself; IPv6 comes from
	# its router advertisements (the loop waits for the address, bounded)
	net_bundle "$T/b" '["sh", "-c", "ping -c 2 10.0.2.2 && for i in $(seq 100); do ip -6 addr show dev vec0 | grep -q \"inet6 fd00:\" && break; sleep 0.1; done; ip -6 addr show dev vec0"]'
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e" || fail "exit $?: $(cat "$T/o" "$T/e")"
	grep -q '2 packets received' "$T/o" || fail "no ping replies: $(cat "$T/o")"
	grep -q 'inet6 fd00:' "$T/o" || fail "no IPv6 address from the router advertisement: $(cat "$T/o")"
}

# each_way ANNOTATIONS_JSON: 100 MiB host -> guest (wget from a host http
# server) and guest -> host (nc to a host sink), both through the
# opted-in host loopback, every byte checked; the guest's NIC counts
# (received packets and bytes) in $T/rx.
each_way() {
	make_big
	start_http
	start_sink
	ln "$T/big" "$T/www/big"
	net_bundle "$T/b" "[\"sh\", \"-c\", \"wget -q -O - http://$NET_HOST:$HTTP_PORT/big | sha256sum; cd /sys/class/net/vec0/statistics; echo \$(cat rx_packets rx_bytes) >&2; nc $NET_HOST $SINK_PORT < /big > /dev/null\"]" \
		"$1"
	cp "$T/big" "$T/b/rootfs/big"
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e" || fail "exit $?: $(cat "$T/e")"
	kill $HTTP_PID 2>/dev/null
	wait $SINK_PID
	grep -E '^[0-9]+ [0-9]+$' "$T/e" > "$T/rx"
	# download: host -> guest
	[ "$(cut -c1-64 "$T/o")" = "$BIG_SHA" ] || fail "download sha256 differs: $(cat "$T/o") vs $BIG_SHA"
	# upload: guest -> host, every byte
	[ "$(cat "$T/sink.out")" = "$BIG_SHA $((BIG_MIB * 1024 * 1024))" ] ||
		fail "upload differs: $(cat "$T/sink.out") vs $BIG_SHA"
}

# The guest's received frames averaged more than MIN bytes, fewer than MAX.
rx_frames_between() { # MIN MAX
	local packets bytes
	read -r packets bytes < "$T/rx" || fail "no NIC counts: $(cat "$T/e")"
	[ "$bytes" -gt $(($1 * packets)) ] && [ "$bytes" -lt $(($2 * packets)) ] ||
		fail "the guest received $packets frames of $bytes bytes: not $1-$2 bytes each"
}

# MTU 1500 with the receive offload (the default): the download reaches
# the guest in frames over its MTU.
test_net_guest_to_host_100mib_each_way_via_opted_in_host_loopback() {
	each_way '{"run.umlrun.net.host-loopback": "true"}'
	rx_frames_between 8000 65536
}

test_net_100mib_each_way_without_the_offload() {
	each_way '{"run.umlrun.net.host-loopback": "true", "run.umlrun.net.offload": "false"}'
	rx_frames_between 1000 1515
}

# A guest that sends as fast as it can (128 MiB of zeros from dd straight
# into the socket, MTU 1500, bursts of a 256 KiB window): its NIC drops
# none of the frames it is given (a full TX ring stops the queue:
# guestkernel/patches/0003; before, the ring overflowed: 31, 40 and 71
# frames lost in three runs, each retransmitted).
test_net_a_fast_upload_loses_no_frames_in_the_guest_nic() {
	local n=$((128 * 1024 * 1024))
	start_sink
	net_bundle "$T/b" "[\"sh\", \"-c\", \"nc $NET_HOST $SINK_PORT -e dd if=/dev/zero bs=65536 count=2048 2> /dev/null; cat /sys/class/net/vec0/statistics/tx_dropped\"]" \
		'{"run.umlrun.net.host-loopback": "true"}'
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e" || fail "exit $?: $(cat "$T/e")"
	wait $SINK_PID
	[ "$(cat "$T/sink.out")" = "$(head -c $n /dev/zero | sha256sum | cut -c1-64) $n" ] ||
		fail "upload: $(cat "$T/sink.out")"
	[ "$(cat "$T/o")" = 0 ] || fail "the guest's NIC dropped $(cat "$T/o") frames it was to send"
}

test_net_100mib_each_way_at_mtu_65520() {
	each_way '{"run.umlrun.net.host-loopback": "true", "run.umlrun.net.mtu": "65520"}'
	rx_frames_between 8000 65535
}

test_net_guest_tcp_receive_buffers_are_set_and_config_json_wins() {
	net_bundle "$T/b" '["cat", "/proc/sys/net/ipv4/tcp_rmem"]'
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e" || fail "exit $?: $(cat "$T/e")"
	[ "$(tr -s '\t ' ' ' < "$T/o")" = "4096 1048576 1048576" ] || fail "tcp_rmem: $(cat "$T/o")"
	new_bundle "$T/b2" true '["cat", "/proc/sys/net/ipv4/tcp_rmem"]' \
		'"linux": {"sysctl": {"net.ipv4.tcp_rmem": "4096 65536 131072"}}'
	"${UML[@]}" "$T/b2" > "$T/o2" 2> "$T/e2" || fail "exit $?: $(cat "$T/e2")"
	[ "$(tr -s '\t ' ' ' < "$T/o2")" = "4096 65536 131072" ] || fail "tcp_rmem with sysctl: $(cat "$T/o2")"
}

NET_HOST=host.umlrun.internal

test_net_host_to_guest_100mib_through_a_run_p_forward() {
	make_big
	local port
	port=$(free_port)
	net_bundle "$T/b" '["sh", "-c", "httpd -p 80 -h /www && echo ready && sleep 600"]'
	mkdir -p "$T/b/rootfs/www" && cp "$T/big" "$T/b/rootfs/www/big"
	"${UML[@]}" run -p "$port:80" --bundle "$T/b" fwd > "$T/o" 2> "$T/e" &
	local pid=$!
	wait_for "$T/o" ready || fail "guest did not start: $(cat "$T/o" "$T/e")"
	"${UML[@]}" state fwd > "$T/st.json"
	curl -sS "http://127.0.0.1:$port/big" -o "$T/got" 2> "$T/curl.err"
	local rc=$?
	"${UML[@]}" kill fwd KILL
	wait $pid
	[ $rc = 0 ] || fail "curl failed: $(cat "$T/curl.err")"
	[ "$(sha256sum < "$T/got" | cut -c1-64)" = "$BIG_SHA" ] || fail "sha256 differs"
	grep -q "\"run.umlrun.net.ports\":\"$port:80/tcp\"" "$T/st.json" || fail "forward not in state: $(cat "$T/st.json")"
}

# A static guest program in $T/send-exit: connects to ADDR:PORT, writes
# FILE into a send buffer that takes it all (up to net.core.wmem_max),
# closes and exits at once: the data is still in the guest's socket (and
# then in netslirp) when the workload ends.
build_send_exit() {
	gcc -static -O1 -o "$T/send-exit" -x c - 2> "$T/cc.log" <<'CSRC' ||
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	static char buf[65536];
	int s = socket(AF_INET, SOCK_STREAM, 0), f = open(argv[3], O_RDONLY);
	int sndbuf = 8 << 20;
	ssize_t n;

	a.sin_port = htons(atoi(argv[2]));
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (argc != 4 || s < 0 || f < 0 || inet_pton(AF_INET, argv[1], &a.sin_addr) != 1 ||
	    connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		return perror("send-exit"), 1;
	while ((n = read(f, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0, w; off < n; off += w)
			if ((w = write(s, buf + off, (size_t)(n - off))) < 0)
				return perror("send-exit: write"), 1;
	close(s);
	return 0;
}
CSRC
		skip "cannot build a static test program: $(head -3 "$T/cc.log")"
}

# The workload writes 12 MiB to a host peer that reads slowly, and exits
# at once: the guest's socket still holds megabytes when the container
# ends (without the agent's wait, the host got 8.4 of them, then a clean
# EOF). The host must get every byte before its EOF.
test_net_data_sent_right_before_the_workload_exits_reaches_the_host() {
	build_send_exit
	local port
	port=$(free_port)
	head -c $((12 * 1024 * 1024)) /dev/urandom > "$T/data"
	python3 -c 'import socket, hashlib, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
print("listening", flush=True)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    h.update(d); n += len(d); time.sleep(0.008)
open(sys.argv[2], "w").write("%s %d\n" % (h.hexdigest(), n))' "$port" "$T/got" > "$T/slow.log" 2>&1 &
	local sink=$!
	wait_for "$T/slow.log" listening || fail "the slow reader did not start"
	new_bundle "$T/b" true "[\"/send-exit\", \"10.0.2.2\", \"$port\", \"/data\"]" \
		'"annotations": {"run.umlrun.net.host-loopback": "true"},
	"linux": {"sysctl": {"net.core.wmem_max": "16777216"}}'
	cp "$T/send-exit" "$T/data" "$T/b/rootfs/"
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e" || fail "exit $?: $(cat "$T/e")"
	wait $sink
	[ "$(cat "$T/got")" = "$(sha256sum < "$T/data" | cut -c1-64) $((12 * 1024 * 1024))" ] ||
		fail "the host got $(cat "$T/got"), not the 12 MiB sent"
}

# A static guest program in $T/udp-echo: binds UDP port PORT, prints
# "ready", then for each datagram prints "got N HEX" and answers "reply:"
# and the datagram.
build_udp_echo() {
	gcc -static -O1 -o "$T/udp-echo" -x c - 2> "$T/cc.log" <<'CSRC' ||
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, from;
	unsigned char buf[2048], out[2048 + 6];
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_port = htons(atoi(argv[argc - 1]));
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		return perror("udp-echo"), 1;
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (n < 0)
			return perror("udp-echo: recvfrom"), 1;
		printf("got %zd ", n);
		for (ssize_t i = 0; i < n; i++)
			printf("%02x", buf[i]);
		printf("\n");
		fflush(stdout);
		memcpy(out, "reply:", 6);
		memcpy(out + 6, buf, (size_t)n);
		if (sendto(s, out, (size_t)n + 6, 0, (struct sockaddr *)&from, fl) < 0)
			return perror("udp-echo: sendto"), 1;
	}
}
CSRC
		skip "cannot build a static test program: $(head -3 "$T/cc.log")"
}

# udp_send ADDR PORT TEXT GOT_FILE [reply]: sends TEXT and the bytes
# 0-255 from ADDR on the host to ADDR:PORT until the guest's udp-echo
# wrote that datagram to GOT_FILE, byte for byte, and, with "reply",
# until its reply came back. Sends again because the first datagrams may
# come before libslirp knows the guest's MAC address (bounded).
udp_send() {
	python3 - "$@" <<'PY'
import socket, sys, time
addr, port, text, got = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
want_reply = sys.argv[5:] == ["reply"]
payload = text.encode() + bytes(range(256))
line = "got %d %s\n" % (len(payload), payload.hex())
delivered = lambda: line in open(got).read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 0))
s.settimeout(0.5)
for _ in range(60):
    s.sendto(payload, (addr, port))
    if want_reply:
        try:
            r = s.recv(4096)
        except socket.timeout:
            continue
        if r != b"reply:" + payload:
            sys.exit("the reply differs: " + r.hex())
        break
    time.sleep(0.5)
    if delivered():
        break
else:
    sys.exit("no reply" if want_reply else "the guest got nothing")
for _ in range(60):
    if delivered():
        sys.exit(0)
    time.sleep(0.5)
sys.exit("the guest did not get the datagram as sent")
PY
}

free_udp_port() {
	python3 -c 'import socket; s=socket.socket(type=socket.SOCK_DGRAM); s.bind(("",0)); print(s.getsockname()[1])'
}

# start_udp_echo NAME PUBLISH [ANNOTATIONS_JSON]: sandbox NAME runs
# udp-echo on port 5353 with `run -p PUBLISH`, in the background (its pid
# in UDP_PID); returns once the guest is ready.
start_udp_echo() {
	build_udp_echo
	net_bundle "$T/b" '["/udp-echo", "5353"]' "${3:-}"
	cp "$T/udp-echo" "$T/b/rootfs/udp-echo"
	"${UML[@]}" run -p "$2" --bundle "$T/b" "$1" > "$T/o" 2> "$T/e" &
	UDP_PID=$!
	wait_for "$T/o" ready || fail "guest did not start: $(cat "$T/o" "$T/e")"
}

test_net_udp_forward_delivers_datagrams_and_replies() {
	local port addr rc=0
	port=$(free_udp_port)
	start_udp_echo udp "$port:5353/udp"
	"${UML[@]}" state udp > "$T/st.json"
	# from the host's loopback, which the guest cannot reach: the datagram
	# reaches the guest and its reply comes back (`dig @127.0.0.1 -p PORT`)
	udp_send 127.0.0.1 "$port" from-loopback "$T/o" reply > "$T/lo.err" 2>&1
	local rc_lo=$?
	# from another address of the host: the guest's reply comes back too
	addr=$(ip -4 -o addr show scope global 2> /dev/null | awk '{ sub("/.*", "", $4); print $4; exit }')
	if [ -n "$addr" ]; then
		udp_send "$addr" "$port" from-host "$T/o" reply > "$T/host.err" 2>&1
		rc=$?
	fi
	"${UML[@]}" kill udp KILL
	wait $UDP_PID
	[ $rc_lo = 0 ] || fail "loopback client: $(cat "$T/lo.err" "$T/o" "$T/e")"
	grep -q "\"run.umlrun.net.ports\":\"$port:5353/udp\"" "$T/st.json" ||
		fail "forward not in state: $(cat "$T/st.json")"
	[ -n "$addr" ] || skip "the host has no global IPv4 address to send a reply to"
	[ $rc = 0 ] || fail "client on $addr: $(cat "$T/host.err" "$T/o" "$T/e")"
}

# udp_clients PORT N: N clients on the host's 127.0.0.1, each on its own
# port, send to 127.0.0.1:PORT in turn (two rounds) until each got the
# guest's reply to its own datagram; a reply to another client's fails.
udp_clients() {
	python3 - "$@" <<'PY'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.2)
    socks.append(s)
for rnd in range(2):
    want = {i: b"client-%d-round-%d" % (i, rnd) for i in range(n)}
    for _ in range(100):
        if not want:
            break
        for i, p in want.items():
            socks[i].sendto(p, ("127.0.0.1", port))
        for i in list(want):
            try:
                while True:
                    r, src = socks[i].recvfrom(4096)
                    if src != ("127.0.0.1", port):
                        sys.exit("client %d: a datagram from %s" % (i, src))
                    if r == b"reply:" + want[i]:
                        del want[i]
                        break
                    if not r.startswith(b"reply:client-%d-" % i):
                        sys.exit("client %d got another's reply: %r" % (i, r))
            except socket.timeout:
                pass
    if want:
        sys.exit("round %d: no reply for clients %s" % (rnd, sorted(want)))
PY
}

test_net_udp_forward_replies_reach_each_loopback_client() {
	# several clients on the host's loopback at once (the default: the
	# guest cannot reach it): each gets the replies to its own datagrams,
	# from the forward's address and port
	local port rc
	port=$(free_udp_port)
	start_udp_echo udpn "127.0.0.1:$port:5353/udp"
	udp_clients "$port" 4 > "$T/c.err" 2>&1
	rc=$?
	"${UML[@]}" kill udpn KILL
	wait $UDP_PID
	[ $rc = 0 ] || fail "$(cat "$T/c.err" "$T/e")"
}

test_net_udp_forward_replies_to_the_host_loopback_when_opted_in() {
	# with the host's loopback open to the guest, the replies to a client
	# there still come back, from the forward's port
	local port rc
	port=$(free_udp_port)
	start_udp_echo udplo "127.0.0.1:$port:5353/udp" '{"run.umlrun.net.host-loopback": "true"}'
	udp_send 127.0.0.1 "$port" hello-udp "$T/o" reply > "$T/lo.err" 2>&1
	rc=$?
	"${UML[@]}" kill udplo KILL
	wait $UDP_PID
	[ $rc = 0 ] || fail "$(cat "$T/lo.err" "$T/o" "$T/e")"
}

# A static guest program in $T/udp-big: ADDR PORT FILE...: sends each
# FILE as one UDP datagram to ADDR:PORT until a reply of its size comes
# (bounded: datagrams sent before the guest knows the gateway's MAC may be
# lost), which must be the datagram with every byte inverted; prints
# "FILE: N bytes, reply ok".
build_udp_big() {
	gcc -static -O1 -o "$T/udp-big" -x c - 2> "$T/cc.log" <<'CSRC' ||
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

static unsigned char buf[65536], reply[65536];

/* Sends buf[0..n) until its reply comes; 0 when it was right. */
static int exchange(int s, size_t n)
{
	for (int try = 0; try < 60; try++) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		ssize_t r;

		if (send(s, buf, n, 0) < 0)
			return perror("udp-big: send"), 1;
		while (poll(&p, 1, 500) > 0) {
			if ((r = recv(s, reply, sizeof(reply), 0)) < 0)
				return perror("udp-big: recv"), 1;
			if ((size_t)r != n)
				continue; /* a late reply to an earlier datagram */
			for (size_t i = 0; i < n; i++)
				if (reply[i] != (unsigned char)~buf[i])
					return printf("reply differs at byte %zu\n", i), 1;
			return 0;
		}
	}
	return printf("no reply of %zu bytes\n", n), 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, argv[1], &a.sin_addr);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		return perror("udp-big"), 1;
	for (int i = 3; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;

		if (n == 0 || exchange(s, n))
			return printf("%s: failed\n", argv[i]), 1;
		printf("%s: %zu bytes, reply ok\n", argv[i], n);
		fflush(stdout);
	}
	return 0;
}
CSRC
		skip "cannot build a static test program: $(head -3 "$T/cc.log")"
}

# A host UDP server on 127.0.0.1:$UDP_PORT: writes "got N SHA256" of each
# datagram to $T/udp.log and answers it with every byte inverted; ends by
# itself after 2 minutes.
start_udp_inverter() {
	UDP_PORT=$(free_udp_port)
	python3 -c 'import hashlib, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.settimeout(120)
print("listening", flush=True)
while True:
    d, a = s.recvfrom(65536)
    print("got %d %s" % (len(d), hashlib.sha256(d).hexdigest()), flush=True)
    s.sendto(bytes(b ^ 0xff for b in d), a)' "$UDP_PORT" > "$T/udp.log" 2>&1 &
	UDP_PID=$!
	wait_for "$T/udp.log" listening || fail "the UDP server did not start: $(cat "$T/udp.log")"
}

# big_datagrams ANNOTATIONS_JSON: the guest (MTU 1500) sends UDP datagrams
# of 4000 and 20000 bytes, which its kernel fragments and netslirp
# reassembles, to a host server through the opted-in host loopback: the
# server gets each byte for byte, and its replies as large come back whole.
big_datagrams() {
	local n rc
	build_udp_big
	start_udp_inverter
	net_bundle "$T/b" "[\"/udp-big\", \"10.0.2.2\", \"$UDP_PORT\", \"/d4000\", \"/d20000\"]" "$1"
	cp "$T/udp-big" "$T/b/rootfs/udp-big"
	head -c 4000 /dev/urandom > "$T/b/rootfs/d4000"
	head -c 20000 /dev/urandom > "$T/b/rootfs/d20000"
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e"
	rc=$?
	kill $UDP_PID 2> /dev/null
	for n in 4000 20000; do
		grep -qx "got $n $(sha256sum < "$T/b/rootfs/d$n" | cut -c1-64)" "$T/udp.log" ||
			fail "the host did not get the $n-byte datagram as sent: $(cat "$T/udp.log" "$T/o" "$T/e")"
	done
	[ $rc = 0 ] || fail "exit $rc: $(cat "$T/o" "$T/e")"
	[ "$(cat "$T/o")" = $'/d4000: 4000 bytes, reply ok\n/d20000: 20000 bytes, reply ok' ] ||
		fail "the guest's replies: $(cat "$T/o" "$T/e")"
}

# host -> guest, libslirp sends the replies whole (its MTU is 65520)
test_net_udp_datagrams_over_the_mtu_reach_the_host() {
	big_datagrams '{"run.umlrun.net.host-loopback": "true"}'
}

# host -> guest, libslirp fragments the replies to the MTU
test_net_udp_datagrams_over_the_mtu_each_way_without_the_offload() {
	big_datagrams '{"run.umlrun.net.host-loopback": "true", "run.umlrun.net.offload": "false"}'
}

test_net_stats_count_the_bytes_each_way() {
	# N bytes down from a host server, M up to a host sink: at least the
	# frames that carried them, at most twice as much (headers, ACKs)
	local n=$((4 * 1024 * 1024)) m=$((2 * 1024 * 1024))
	start_http
	start_sink
	head -c $n /dev/urandom > "$T/www/down"
	net_bundle "$T/b" "[\"sh\", \"-c\", \"wget -q -O - http://$NET_HOST:$HTTP_PORT/down | wc -c && nc $NET_HOST $SINK_PORT < /up\"]" \
		'{"run.umlrun.net.host-loopback": "true"}'
	head -c $m /dev/urandom > "$T/b/rootfs/up"
	"${UML[@]}" run --stats "$T/stats.json" --bundle "$T/b" st > "$T/o" 2> "$T/e" ||
		fail "exit $?: $(cat "$T/e")"
	kill $HTTP_PID 2>/dev/null
	wait $SINK_PID
	[ "$(cat "$T/o")" = "$n"$'\n'"$m" ] || fail "download, upload: $(cat "$T/o")"
	[ "$(cut -d' ' -f2 "$T/sink.out")" = "$m" ] || fail "upload: $(cat "$T/sink.out")"
	[ ! -s "$T/e" ] || fail "stderr: $(cat "$T/e")"
	python3 - "$T/stats.json" "$n" "$m" <<'PY' || fail "stats: $(cat "$T/stats.json")"
import json, sys
d = json.load(open(sys.argv[1]))
n, m = int(sys.argv[2]), int(sys.argv[3])
i, o = d["netBytesIn"], d["netBytesOut"]
assert isinstance(i, int) and isinstance(o, int), d
assert n <= i < 2 * n + 65536, ("in", i, n)
assert m <= o < 2 * m + 65536, ("out", o, m)
PY
}

test_net_stats_bytes_are_null_without_a_network() {
	net_bundle "$T/b" '["true"]' '{"run.umlrun.net": "none"}'
	"${UML[@]}" run --stats "$T/stats.json" --bundle "$T/b" nonet 2> "$T/e" || fail "exit $?: $(cat "$T/e")"
	[ ! -s "$T/e" ] || fail "stderr: $(cat "$T/e")"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(not (d["netBytesIn"] is None and d["netBytesOut"] is None))' \
		"$T/stats.json" || fail "stats: $(cat "$T/stats.json")"
}

test_net_ports_annotation_forwards_and_is_listed_in_state() {
	local port
	port=$(free_port)
	net_bundle "$T/b" '["sh", "-c", "echo hello-from-guest > /tmp/i; httpd -p 8080 -h /tmp && echo ready && sleep 600"]' \
		"{\"run.umlrun.net.ports\": \"127.0.0.1:$port:8080\"}" false
	"${UML[@]}" run -d --bundle "$T/b" ann > "$T/o" 2> "$T/e" || fail "run -d: $(cat "$T/e")"
	"${UML[@]}" state ann > "$T/st.json"
	local got="" i
	for i in $(seq 100); do # until the guest's httpd listens
		got=$(curl -s "http://127.0.0.1:$port/i") && [ -n "$got" ] && break
		sleep 0.1
	done
	"${UML[@]}" kill ann KILL
	for i in $(seq 100); do "${UML[@]}" delete ann 2>/dev/null && break; sleep 0.1; done
	[ "$got" = hello-from-guest ] || fail "forward did not reach the guest: '$got'"
	grep -q "\"run.umlrun.net.ports\":\"127.0.0.1:$port:8080/tcp\"" "$T/st.json" ||
		fail "state: $(cat "$T/st.json")"
}

test_net_host_loopback_is_unreachable_by_default() {
	start_http
	echo secret-of-the-host > "$T/www/s"
	net_bundle "$T/b" "[\"sh\", \"-c\", \"wget -T 3 -q -O - http://10.0.2.2:$HTTP_PORT/s; echo rc=\$?; ping -c 1 10.0.2.2 > /dev/null && echo gateway-answers\"]"
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e"
	kill $HTTP_PID 2>/dev/null
	! grep -q secret-of-the-host "$T/o" || fail "the guest reached the host's loopback"
	grep -q 'rc=[1-9]' "$T/o" || fail "wget did not fail: $(cat "$T/o")"
	grep -q gateway-answers "$T/o" || fail "the network itself is down: $(cat "$T/o")"
	! grep -q '"GET /s' "$T/http.log" || fail "the host server saw the request"
}

test_net_mode_none_has_only_loopback() {
	net_bundle "$T/b" '["sh", "-c", "ls /sys/class/net; ifconfig lo | grep -c UP"]' '{"run.umlrun.net": "none"}'
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e" || fail "exit $?: $(cat "$T/e")"
	[ "$(head -n1 "$T/o")" = lo ] || fail "interfaces: $(cat "$T/o")"
	[ "$(tail -n1 "$T/o")" = 1 ] || fail "loopback not up: $(cat "$T/o")"
	[ -z "$(pgrep -f "umlrun-netslirp.*$T/")" ] || fail "netslirp runs in mode none"
}

test_net_new_network_namespace_defaults_to_none() {
	net_bundle "$T/b" '["ls", "/sys/class/net"]'
	python3 - "$T/b/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"] = {"namespaces": [{"type": "network"}, {"type": "mount"}]}
json.dump(c, open(sys.argv[1], "w"))
EOF
	[ "$("${UML[@]}" "$T/b")" = lo ] || fail "a new network namespace got a NIC"
}

test_net_down_and_up_keeps_networking() {
	start_http
	echo after-up > "$T/www/f"
	net_bundle "$T/b" "[\"sh\", \"-c\", \"for i in 1 2 3; do ifconfig vec0 down; ifconfig vec0 up; done; route add default gw 10.0.2.2; wget -q -O - http://10.0.2.2:$HTTP_PORT/f\"]" \
		'{"run.umlrun.net.host-loopback": "true"}'
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e" || fail "exit $?: $(cat "$T/o" "$T/e")"
	kill $HTTP_PID 2>/dev/null
	[ "$(cat "$T/o")" = after-up ] || fail "no network after down/up: $(cat "$T/o")"
}

test_net_bad_options_are_refused_and_leave_nothing() {
	net_bundle "$T/b" '["true"]' '{"run.umlrun.net.ports": "99999:80"}'
	"${UML[@]}" "$T/b" 2> "$T/e" && fail "ran with a bad port"
	grep -q 'annotation run.umlrun.net.ports: "99999:80": port out of range' "$T/e" || fail "stderr: $(cat "$T/e")"
	net_bundle "$T/c" '["true"]' '{"run.umlrun.net": "tap"}'
	"${UML[@]}" "$T/c" 2> "$T/e" && fail "ran with a bad mode"
	grep -q 'annotation run.umlrun.net: "tap": want slirp or none' "$T/e" || fail "stderr: $(cat "$T/e")"
	net_bundle "$T/d" '["true"]' '{"run.umlrun.net": "none"}'
	"${UML[@]}" run -p 8080:80 --bundle "$T/d" x 2> "$T/e" && fail "forward in mode none"
	grep -q 'port forwards need network mode slirp' "$T/e" || fail "stderr: $(cat "$T/e")"
	net_bundle "$T/f" '["true"]'
	"${UML[@]}" run -p 80:80/sctp --bundle "$T/f" y 2> "$T/e" && fail "ran with sctp"
	grep -q '^umlrun: -p: "80:80/sctp": protocol must be tcp or udp' "$T/e" || fail "stderr: $(cat "$T/e")"
	[ -z "$(find "$ROOT" -mindepth 1 -maxdepth 1 2>/dev/null)" ] || fail "state left: $(ls "$ROOT")"
}

test_net_forward_to_a_busy_host_port_fails_clearly() {
	start_http
	net_bundle "$T/b" '["true"]'
	"${UML[@]}" run -p "127.0.0.1:$HTTP_PORT:80" --bundle "$T/b" busy 2> "$T/e" && fail "ran"
	kill $HTTP_PID 2>/dev/null
	grep -q "port forward 127.0.0.1:$HTTP_PORT -> 80/tcp: cannot listen" "$T/e" || fail "stderr: $(cat "$T/e")"
	# a UDP port another socket holds
	python3 -c 'import socket, sys, time
s = socket.socket(type=socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True); time.sleep(60)' > "$T/udp.port" &
	local holder=$! port
	wait_for "$T/udp.port" '[0-9]' || fail "no UDP socket"
	port=$(cat "$T/udp.port")
	"${UML[@]}" run -p "127.0.0.1:$port:53/udp" --bundle "$T/b" busyudp 2> "$T/e" && fail "ran"
	kill $holder
	grep -q "port forward 127.0.0.1:$port -> 53/udp: cannot listen on the host: Address already in use" "$T/e" ||
		fail "stderr: $(cat "$T/e")"
}

# A debugger attached to netslirp interrupts its poll(), which then
# resumes through restart_syscall: its seccomp allow-list must allow it.
test_net_netslirp_survives_strace_attaching() {
	command -v strace > /dev/null || skip "strace is not installed"
	net_bundle "$T/b" '["sh", "-c", "echo ready; sleep 1; while [ ! -e /tmp/go ]; do sleep 0.1; done; ping -c 2 10.0.2.2"]' \
		'{"run.umlrun.net.host-loopback": "true"}' false
	"${UML[@]}" run --bundle "$T/b" st > "$T/o" 2>&1 &
	local pid=$! ns
	wait_for "$T/o" ready || fail "did not start: $(cat "$T/o")"
	ns=$(pgrep -f "umlrun-netslirp" -P $pid)
	[ -n "$ns" ] || fail "no netslirp under the monitor"
	timeout -s INT 2 strace -p "$ns" -o "$T/strace.log"
	kill -0 "$ns" 2> /dev/null || fail "netslirp died once strace detached: $(tail -3 "$T/strace.log")"
	touch "$T/b/rootfs/tmp/go"
	wait $pid || fail "exit $?: $(cat "$T/o")"
	grep -q '2 packets received' "$T/o" || fail "no network after strace: $(cat "$T/o")"
}

test_net_netslirp_does_not_outlive_a_killed_monitor() {
	net_bundle "$T/b" '["sh", "-c", "echo ready; sleep 600"]'
	"${UML[@]}" "$T/b" > "$T/o" 2>&1 &
	local pid=$! i ns
	wait_for "$T/o" ready || fail "did not start"
	ns=$(pgrep -f "umlrun-netslirp" -P $pid)
	[ -n "$ns" ] || fail "no netslirp under the monitor"
	kill -KILL $pid
	wait $pid 2>/dev/null
	for i in $(seq 100); do kill -0 "$ns" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$ns" 2>/dev/null || fail "netslirp $ns outlived its monitor"
	for i in $(seq 100); do [ -z "$(kernel_pids)" ] && break; sleep 0.1; done
	rm -rf "$ROOT"/*/ # a SIGKILLed umlrun cannot clean its state
}
