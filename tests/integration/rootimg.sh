# tests/integration/rootimg.sh: image roots (an ext4 image on ubd0 with a
# per-sandbox COW file) and overlay roots (the bundle's directory under a
# guest tmpfs), booted for real: what the workload sees, what stays on the
# host, and bad images.

# image_bundle DIR ARGS_JSON [EXTRA_TOPLEVEL_JSON]: a bundle whose root.path
# is DIR/root.img, built from the busybox rootfs with `umlrun image build`.
image_bundle() {
	new_bundle "$1" false "$2" "${3:-}"
	"$UMLRUN" image build "$1/rootfs" "$1/root.img" --size 64M > "$T/build.out" 2>&1 ||
		fail "image build: $(cat "$T/build.out")"
	rm -rf "$1/rootfs"
	sed -i 's|"path": "rootfs"|"path": "root.img"|' "$1/config.json"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

test_image_boot() {
	image_bundle "$T/b" '["sh", "-c", "grep \" / \" /proc/mounts | cut -d\" \" -f1,3; stat -c %u:%g:%a /bin/busybox; id -u"]'
	run_in "$T/b" > "$T/o" 2> "$T/e" || fail "run: $(cat "$T/e")"
	printf '/dev/ubda ext4\n0:0:755\n0\n' | cmp - "$T/o" || fail "output: $(cat "$T/o")"
}

test_image_writes_stay_in_the_cow() {
	image_bundle "$T/b" '["sh", "-c", "echo hello > /hello; rm /bin/ls; cat /hello; ls /bin/ls 2>&1 | head -c 0; test -e /bin/ls || echo gone"]'
	local before
	before=$(sha "$T/b/root.img")
	run_in "$T/b" > "$T/o" 2> "$T/e" || fail "run: $(cat "$T/e")"
	printf 'hello\ngone\n' | cmp - "$T/o" || fail "output: $(cat "$T/o")"
	[ "$(sha "$T/b/root.img")" = "$before" ] || fail "the base image changed"
	# a new sandbox has a new COW file: the write is gone
	sed -i 's|"args": \[.*\]|"args": ["sh", "-c", "test -e /hello \&\& echo leaked; test -e /bin/ls \&\& echo fresh"]|' "$T/b/config.json"
	run_in "$T/b" > "$T/o" 2> "$T/e" || fail "second run: $(cat "$T/e")"
	[ "$(cat "$T/o")" = fresh ] || fail "second run saw: $(cat "$T/o")"
}

test_image_kept_cow_file() {
	image_bundle "$T/b" '["sh", "-c", "cat /count 2>/dev/null; echo run >> /count"]' \
		'"annotations": {"run.umlrun.root.cow": "keep.cow"}'
	local before
	before=$(sha "$T/b/root.img")
	run_in "$T/b" > "$T/o1" 2> "$T/e" || fail "run 1: $(cat "$T/e")"
	[ -f "$T/b/keep.cow" ] || fail "the kept COW file is gone"
	run_in "$T/b" > "$T/o2" 2> "$T/e" || fail "run 2: $(cat "$T/e")"
	[ ! -s "$T/o1" ] || fail "run 1 output: $(cat "$T/o1")"
	[ "$(cat "$T/o2")" = run ] || fail "run 2 did not see run 1's write: $(cat "$T/o2")"
	[ "$(sha "$T/b/root.img")" = "$before" ] || fail "the base image changed"
	# the COW records the base by its host path between runs
	grep -qa "$T/b/root.img" "$T/b/keep.cow" || fail "COW header lacks the base's path"
}

test_image_commit() {
	image_bundle "$T/b" '["sh", "-c", "echo committed > /etc/motd"]'
	local before
	before=$(sha "$T/b/root.img")
	"${UML[@]}" create -b "$T/b" c1 2> "$T/e" || fail "create: $(cat "$T/e")"
	"${UML[@]}" start c1 2> "$T/e" || fail "start: $(cat "$T/e")"
	local i
	for i in $(seq 200); do
		"${UML[@]}" state c1 | grep -q '"stopped"' && break
		sleep 0.1
	done
	"${UML[@]}" image commit c1 "$T/new.img" 2> "$T/e" || fail "commit: $(cat "$T/e")"
	"${UML[@]}" delete c1 || fail "delete"
	[ "$(sha "$T/b/root.img")" = "$before" ] || fail "the base image changed"
	e2fsck -fn "$T/new.img" > "$T/fsck" 2>&1 || fail "e2fsck of the committed image: $(cat "$T/fsck")"
	mv "$T/new.img" "$T/b/root.img"
	sed -i 's|"args": \[.*\]|"args": ["cat", "/etc/motd"]|' "$T/b/config.json"
	run_in "$T/b" > "$T/o" 2> "$T/e" || fail "run of the committed image: $(cat "$T/e")"
	[ "$(cat "$T/o")" = committed ] || fail "committed image shows: $(cat "$T/o")"
}

test_image_shared_by_ten_sandboxes() {
	image_bundle "$T/b" '["sh", "-c", "echo $ME > /mine-$ME; sync; sleep 1; ls / | grep mine- | tr \"\\n\" \" \"; cat /mine-$ME"]'
	local before i
	before=$(sha "$T/b/root.img")
	for i in $(seq 10); do
		mkdir -p "$T/b$i"
		cp "$T/b/config.json" "$T/b$i/config.json"
		sed -i "s|\"path\": \"root.img\"|\"path\": \"$T/b/root.img\"|; s|\"PATH=|\"ME=$i\", \"PATH=|" "$T/b$i/config.json"
		run_in "$T/b$i" > "$T/o$i" 2> "$T/e$i" &
	done
	wait
	for i in $(seq 10); do
		[ "$(cat "$T/o$i")" = "mine-$i $i" ] || fail "sandbox $i saw: $(cat "$T/o$i") $(cat "$T/e$i")"
	done
	[ "$(sha "$T/b/root.img")" = "$before" ] || fail "the base image changed"
}

test_image_missing() {
	new_bundle "$T/b" false '["true"]' '"annotations": {"run.umlrun.root.image": "nope.img"}'
	run_in "$T/b" > "$T/o" 2> "$T/e" && fail "ran without its image"
	grep -q "run.umlrun.root.image $T/b/nope.img: No such file" "$T/e" || fail "stderr: $(cat "$T/e")"
}

test_image_truncated_or_not_ext4() {
	image_bundle "$T/b" '["true"]'
	truncate -s 8M "$T/b/root.img"
	run_in "$T/b" > "$T/o" 2> "$T/e" && fail "booted a truncated image"
	grep -q "$T/b/root.img.*truncated" "$T/e" || fail "stderr: $(cat "$T/e")"
	head -c 4M /dev/zero > "$T/b/root.img"
	run_in "$T/b" > "$T/o" 2> "$T/e" && fail "booted a non-image"
	grep -q "$T/b/root.img.*not an ext4 image" "$T/e" || fail "stderr: $(cat "$T/e")"
}

test_image_cow_of_a_changed_base() {
	image_bundle "$T/b" '["true"]' '"annotations": {"run.umlrun.root.cow": "keep.cow"}'
	run_in "$T/b" 2> "$T/e" || fail "run: $(cat "$T/e")"
	cp "$T/b/keep.cow" "$T/cow.before"
	# same size, new contents (and mtime): the COW no longer matches
	sleep 1.1
	printf 'x' | dd of="$T/b/root.img" bs=1 seek=$((40 << 20)) conv=notrunc status=none
	run_in "$T/b" > "$T/o" 2> "$T/e" && fail "booted a COW of a changed base"
	grep -q "keep.cow.*$T/b/root.img.*changed" "$T/e" || fail "stderr: $(cat "$T/e")"
	cmp "$T/b/keep.cow" "$T/cow.before" || fail "the COW file was modified"
}

test_image_disk_full_making_the_cow() {
	image_bundle "$T/b" '["true"]' '"annotations": {"run.umlrun.root.cow": "full/keep.cow"}'
	mkdir "$T/b/full"
	unshare -m bash -c "mount -t tmpfs -o size=8k tiny '$T/b/full' && \
		'$UMLRUN' --root '$ROOT' '$T/b'" > "$T/o" 2> "$T/e" && fail "ran without room for its COW"
	grep -q "$T/b/full/keep.cow.*No space left on device" "$T/e" || fail "stderr: $(cat "$T/e")"
}

test_image_disk_full_while_running() {
	image_bundle "$T/b" '["sh", "-c", "dd if=/dev/zero of=/big bs=1M count=8 2>/dev/null || echo write failed; sync"]' \
		'"annotations": {"run.umlrun.root.cow": "full/keep.cow"}'
	mkdir "$T/b/full"
	local before
	before=$(sha "$T/b/root.img")
	unshare -m bash -c "mount -t tmpfs -o size=2m tiny '$T/b/full' && \
		'$UMLRUN' --root '$ROOT' '$T/b'" > "$T/o" 2> "$T/e"
	local rc=$?
	[ "$(sha "$T/b/root.img")" = "$before" ] || fail "the base image changed"
	# the guest sees its writes fail; umlrun says why
	[ "$rc" -ne 0 ] || grep -q 'write failed' "$T/o" || fail "rc $rc, output: $(cat "$T/o")"
	grep -q "keep.cow.*No space left on device" "$T/e" || fail "stderr lacks the cause: $(cat "$T/e")"
}

test_overlay_root() {
	new_bundle "$T/b" false '["sh", "-c", "echo new > /newfile; rm /bin/ls; rm -r /data; mkdir /data; echo x > /data/x; cat /newfile; test -e /bin/ls || echo gone; ls /data"]' \
		'"annotations": {"run.umlrun.root.overlay": "true"}'
	mkdir "$T/b/rootfs/data"; echo old > "$T/b/rootfs/data/old"
	(cd "$T/b/rootfs" && find . -printf '%p %s %m\n' | sort) > "$T/tree.before"
	run_in "$T/b" > "$T/o" 2> "$T/e" || fail "run: $(cat "$T/e")"
	printf 'new\ngone\nx\n' | cmp - "$T/o" || fail "output: $(cat "$T/o")"
	(cd "$T/b/rootfs" && find . -printf '%p %s %m\n' | sort) > "$T/tree.after"
	diff "$T/tree.before" "$T/tree.after" || fail "the host rootfs changed"
}

test_overlay_root_size_cap() {
	new_bundle "$T/b" false '["sh", "-c", "dd if=/dev/zero of=/big bs=1M count=8 2>/dev/null && echo wrote all; wc -c < /big"]' \
		'"annotations": {"run.umlrun.root.overlay": "true", "run.umlrun.root.overlay.size": "2M"}'
	run_in "$T/b" > "$T/o" 2> "$T/e" || fail "run: $(cat "$T/e")"
	grep -q 'wrote all' "$T/o" && fail "wrote past the cap: $(cat "$T/o")"
	[ "$(tail -n1 "$T/o")" -le $((2 << 20)) ] || fail "size: $(cat "$T/o")"
	[ ! -e "$T/b/rootfs/big" ] || fail "the write reached the host"
}

test_root_mode_bad_annotations() {
	new_bundle "$T/b" false '["true"]' '"annotations": {"run.umlrun.root.overlay": "yes"}'
	run_in "$T/b" > "$T/o" 2> "$T/e" && fail "ran with a bad overlay annotation"
	grep -q 'annotation run.umlrun.root.overlay: "yes": want true or false' "$T/e" || fail "stderr: $(cat "$T/e")"
	new_bundle "$T/c" false '["true"]' '"annotations": {"run.umlrun.root.overlay": "true", "run.umlrun.root.overlay.size": "lots"}'
	run_in "$T/c" > "$T/o" 2> "$T/e" && fail "ran with a bad size"
	grep -q 'run.umlrun.root.overlay.size: "lots"' "$T/e" || fail "stderr: $(cat "$T/e")"
	new_bundle "$T/d" false '["true"]' '"annotations": {"run.umlrun.root.cow": "x.cow"}'
	run_in "$T/d" > "$T/o" 2> "$T/e" && fail "ran with a COW for a directory root"
	grep -q 'run.umlrun.root.cow: only for image roots' "$T/e" || fail "stderr: $(cat "$T/e")"
	[ ! -e "$T/d/x.cow" ] || fail "left a COW file"
}

test_image_binds() {
	image_bundle "$T/b" '["sh", "-c", "cat /opt/tc/t; echo out > /work/ws/o; echo no > /opt/tc/x || echo ro"]'
	mkdir -p "$T/ws" "$T/tc"; echo tool > "$T/tc/t"
	"${UML[@]}" run -b "$T/b" -v "$T/ws:/work/ws" -v "$T/tc:/opt/tc:ro" x1 > "$T/o" 2> "$T/e" ||
		fail "run: $(cat "$T/e")"
	printf 'tool\nro\n' | cmp - "$T/o" || fail "output: $(cat "$T/o")"
	[ "$(cat "$T/ws/o")" = out ] || fail "the workspace write did not reach the host"
	[ ! -e "$T/tc/x" ] || fail "wrote into the read-only bind"
	echo x > "$T/f"
	"${UML[@]}" run -b "$T/b" -v "$T/f:/etc/f" x2 > "$T/o" 2> "$T/e" && fail "bound a file into an image root"
	grep -q "bind mount /etc/f: $T/f is a file; with an image root" "$T/e" || fail "stderr: $(cat "$T/e")"
}

test_image_kept_cow_in_use_by_another_sandbox() {
	image_bundle "$T/b" '["sh", "-c", "echo up; sleep 30"]' '"annotations": {"run.umlrun.root.cow": "keep.cow"}'
	"${UML[@]}" run -d -b "$T/b" first 2> "$T/e" || fail "run -d: $(cat "$T/e")"
	run_in "$T/b" > "$T/o" 2> "$T/e" && fail "a second sandbox booted the same COW file"
	grep -q "$T/b/keep.cow is in use by process" "$T/e" || fail "stderr: $(cat "$T/e")"
	"${UML[@]}" delete -f first || fail "delete"
	[ -f "$T/b/keep.cow" ] || fail "the kept COW file is gone"
}
