# tests/integration/net.sh: the sandbox's network (umlrun-netslirp), with
# the real guest kernel and real packets: the guest's interface, addresses
# and name files; 100 MiB each way with matching sha256 (host -> guest
# through a `run -p` forward, guest -> host through the opted-in host
# loopback); the host's loopback unreachable by default; mode none; the
# NIC surviving down/up; forwards in `umlrun state`; bad options refused.

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
# one connection sent, up to its EOF, to $T/sink.out.
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
open(sys.argv[2], "w").write("%s %d\n" % (h.hexdigest(), n))' "$SINK_PORT" "$T/sink.out" > "$T/sink.log" 2>&1 &
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

test_net_guest_to_host_100mib_each_way_via_opted_in_host_loopback() {
	make_big
	start_http
	start_sink
	ln "$T/big" "$T/www/big"
	net_bundle "$T/b" "[\"sh\", \"-c\", \"wget -q -O - http://$NET_HOST:$HTTP_PORT/big | sha256sum; nc $NET_HOST $SINK_PORT -e cat /big\"]" \
		'{"run.umlrun.net.host-loopback": "true"}'
	cp "$T/big" "$T/b/rootfs/big"
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e" || fail "exit $?: $(cat "$T/e")"
	kill $HTTP_PID 2>/dev/null
	wait $SINK_PID
	# download: host -> guest
	[ "$(cut -c1-64 "$T/o")" = "$BIG_SHA" ] || fail "download sha256 differs: $(cat "$T/o") vs $BIG_SHA"
	# upload: guest -> host, every byte
	[ "$(cat "$T/sink.out")" = "$BIG_SHA $((BIG_MIB * 1024 * 1024))" ] ||
		fail "upload differs: $(cat "$T/sink.out") vs $BIG_SHA"
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
