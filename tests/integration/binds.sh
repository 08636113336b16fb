# tests/integration/binds.sh: host bind mounts in the guest: config.json
# mounts of type bind and `run -v SRC:DST[:ro]` (a CI job's workspace and
# toolchain), with their flags enforced by the guest kernel.

test_volume_workspace_rw_and_toolchain_ro() {
	mkdir -p "$T/ws" "$T/tc"
	echo compiler-1.0 > "$T/tc/version"
	new_bundle "$T/b" true '["sh", "-c", "cat /opt/tc/version > /work/built; echo x > /opt/tc/new || echo tc-is-ro; grep -E \" /(work|opt/tc) \" /proc/mounts"]'
	local out
	out=$("${UML[@]}" run -v "$T/ws:/work" -v "$T/tc:/opt/tc:ro" --bundle "$T/b" v1 2>&1) ||
		fail "run exited $?: $out"
	[ "$(cat "$T/ws/built" 2>/dev/null)" = compiler-1.0 ] || fail "workspace write: $out"
	grep -q tc-is-ro <<< "$out" || fail "the toolchain mount was writable: $out"
	[ ! -e "$T/tc/new" ] || fail "a file appeared in the read-only source"
	grep -q " /opt/tc hostfs ro," <<< "$out" || fail "guest mount flags: $out"
}

test_config_bind_mount_with_flags() {
	mkdir -p "$T/data"
	printf '#!/bin/sh\necho ran\n' > "$T/data/script"
	chmod +x "$T/data/script"
	new_bundle "$T/b" false '["sh", "-c", "cat /data/script | head -1; /data/script || echo noexec-ok"]' \
		"\"mounts\": [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/data\", \"options\": [\"rbind\", \"ro\", \"noexec\"]}]"
	local out
	out=$("${UML[@]}" run --bundle "$T/b" c1 2>&1) || fail "run exited $?: $out"
	grep -q '^#!/bin/sh' <<< "$out" || fail "bind not visible: $out"
	grep -q noexec-ok <<< "$out" || fail "noexec not enforced in the guest: $out"
}

test_file_bind_mount() {
	echo "nameserver 192.0.2.53" > "$T/resolv"
	new_bundle "$T/b" false '["cat", "/etc/resolv.conf"]' \
		"\"mounts\": [{\"destination\": \"/etc/resolv.conf\", \"type\": \"bind\", \"source\": \"$T/resolv\", \"options\": [\"bind\", \"ro\"]}]"
	rm -f "$T/b/rootfs/etc/resolv.conf"
	[ "$("${UML[@]}" run --bundle "$T/b" f1)" = "nameserver 192.0.2.53" ] || fail "file bind"
}

test_bad_bind_mounts_are_clear_errors() {
	new_bundle "$T/b" false '["true"]'
	"${UML[@]}" run -v "$T/nonexistent:/x" --bundle "$T/b" e1 2> "$T/e" && fail "missing source accepted"
	grep -q -- "-v $T/nonexistent:/x: source \"$T/nonexistent\"" "$T/e" || fail "error: $(cat "$T/e")"
	"${UML[@]}" run -v "$T" --bundle "$T/b" e2 2> "$T/e" && fail "-v without DST accepted"
	grep -q "expected SRC:DST" "$T/e" || fail "error: $(cat "$T/e")"
	"${UML[@]}" run -v "$T:/x:rx" --bundle "$T/b" e3 2> "$T/e" && fail "bad mode accepted"
	grep -q '"rx": expected ro or rw' "$T/e" || fail "error: $(cat "$T/e")"
	"${UML[@]}" run -v "$T:relative" --bundle "$T/b" e4 2> "$T/e" && fail "relative DST accepted"
	grep -q "must be an absolute path" "$T/e" || fail "error: $(cat "$T/e")"
	[ -z "$(ls "$ROOT" 2> /dev/null | grep -v cpu.next)" ] || fail "state left: $(ls "$ROOT")"
}
