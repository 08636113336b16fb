# tests/escape/binds.sh: bind mount destinations are resolved inside the
# rootfs. A hostile rootfs (the guest controls it) may turn a destination's
# parent into a symlink to a host path; the mountpoint must still be made,
# and the source mounted, inside the rootfs, never at the host path.

test_symlinked_bind_destination_stays_in_the_rootfs() {
	mkdir -p "$T/canary" "$T/src"
	echo from-src > "$T/src/file"
	new_bundle "$T/b" false '["sh", "-c", "cat /evil/mnt/file"]'
	ln -s "$T/canary" "$T/b/rootfs/evil"
	local out
	out=$("${UML[@]}" run -v "$T/src:/evil/mnt" --bundle "$T/b" s1 2>&1)
	[ -z "$(ls -A "$T/canary")" ] || fail "the mountpoint was made at the host path: $(ls -la "$T/canary")"
	# inside the rootfs, /evil is a dangling link: refused, with the path
	grep -q "mountpoint /evil/mnt in the rootfs" <<< "$out" || fail "output: $out"
	mkdir -p "$T/b/rootfs/$T/canary"
	out=$("${UML[@]}" run -v "$T/src:/evil/mnt" --bundle "$T/b" s2 2>&1)
	[ -z "$(ls -A "$T/canary")" ] || fail "the mountpoint was made at the host path: $(ls -la "$T/canary")"
	if [ "$(layer_state namespaces)" = on ]; then
		[ "$out" = from-src ] || fail "guest output: $out"
	else # binds exist only in the jail's view: refused without namespaces
		grep -q "clone into new namespaces" <<< "$out" || fail "output without namespaces: $out"
	fi
}

test_dotdot_bind_destination_stays_in_the_rootfs() {
	mkdir -p "$T/src"
	new_bundle "$T/b" false '["true"]'
	"${UML[@]}" run -v "$T/src:/../../../../$T/escaped" --bundle "$T/b" s2 2> "$T/e" &&
		fail "a destination with .. was accepted"
	grep -q 'must not contain' "$T/e" || fail "error: $(cat "$T/e")"
	[ ! -e "$T/escaped" ] || fail "a mountpoint was made outside the rootfs"
}
