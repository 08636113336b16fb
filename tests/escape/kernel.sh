# tests/escape/kernel.sh: attacks from code running as the UML kernel process
# itself (the threat model's "code execution in the UML kernel"). The evil
# kernel (evil-kernel.c) runs with the kernel process's exact confinement and
# reports each attack in the kernel log, which --debug prints.

evil_setup() {
	gcc -static -O1 -o "$T/evil" "$UMLRUN_SRCDIR/tests/escape/evil-kernel.c" 2> "$T/cc.log" ||
		skip "cannot build a static test program: $(head -3 "$T/cc.log")"
	mkdir -p "$T/canary"
	echo "top-secret-$$-$RANDOM" > "$T/secret"
	# a host loopback TCP service and a host abstract unix socket to attack
	python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(5)
u=socket.socket(socket.AF_UNIX); u.bind("\0umlrun-escape-'$$'"); u.listen(5)
print(s.getsockname()[1], flush=True); time.sleep(60)' > "$T/port" 2>/dev/null &
	LISTENER=$!
	for i in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
	[ -s "$T/port" ] || skip "python3 listener did not start"
	new_bundle "$T/b" false
	echo "$T/secret $T/canary $(cat "$T/port") $$ umlrun-escape-$$" > "$T/b/rootfs/targets"
}

test_evil_kernel_is_contained() {
	evil_setup
	"${UML[@]}" --debug --kernel "$T/evil" "$T/b" > "$T/o" 2> "$T/e"
	kill $LISTENER 2>/dev/null
	grep -q "ATTACK done" "$T/e" || fail "the evil kernel did not finish: $(grep -v '^umlrun: kernel: *$' "$T/e" | tail -20)"
	local n
	n=$(grep -c "ATTACK .*: blocked" "$T/e")
	echo "attacks blocked: $n"
	grep "ATTACK" "$T/e" | sed 's/^umlrun: kernel: //'
	! grep -q "ESCAPED" "$T/e" || fail "escaped: $(grep ESCAPED "$T/e")"
	[ "$n" -ge 14 ] || fail "only $n attacks ran"
	[ -z "$(ls -A "$T/canary")" ] || fail "canary directory written"
	! grep -q "top-secret" "$T/o" "$T/e" || fail "secret leaked"
}
