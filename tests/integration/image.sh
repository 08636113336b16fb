# tests/integration/image.sh: `umlrun image build` (ext4 images of a
# directory: contents, owners with and without --owner, manifests, and the
# refusals, which leave no image behind) and `umlrun image commit` of COW
# files the real guest kernel wrote (booted directly on ubd0=COW,BASE, so
# the file is the kernel's own), into a new image (compared with uml_moo's
# when uml-utilities is installed) or in place.

# no_temp DIR: fails if a temporary image (NAME.tmp-XXXXXX) is left in DIR.
no_temp() {
	local left
	left=$(find "$1" -maxdepth 1 -name '*.tmp-*')
	[ -z "$left" ] || fail "temporary files left: $left"
}

# in_image IMAGE CMD: runs a debugfs request on IMAGE.
in_image() { debugfs -R "$2" "$1" 2> /dev/null; }

# owner_of IMAGE PATH: "UID GID MODE TYPE" (MODE: permission bits, octal).
owner_of() {
	in_image "$1" "stat $2" | awk '/^Inode:/ {t = $4; m = $6} /^User:/ {u = $2; g = $4} END {print u, g, m, t}'
}

need_e2fsprogs() {
	command -v mke2fs > /dev/null && command -v debugfs > /dev/null && command -v e2fsck > /dev/null ||
		skip "e2fsprogs (mke2fs, debugfs, e2fsck) is not installed"
}

test_image_build_busybox_rootfs() {
	need_e2fsprogs
	"$UMLRUN" image build "$UMLRUN_BUNDLE/rootfs" "$T/bb.img" 2> "$T/e" || fail "build: $(cat "$T/e")"
	[ ! -s "$T/e" ] || fail "build wrote to stderr: $(cat "$T/e")"
	e2fsck -fn "$T/bb.img" > "$T/fsck" 2>&1 || fail "e2fsck: $(cat "$T/fsck")"
	in_image "$T/bb.img" 'ls -l /bin' > "$T/ls"
	grep -Eq ' busybox$' "$T/ls" || fail "no /bin/busybox: $(head "$T/ls")"
	grep -Eq '^ +[0-9]+ +120777 .* sh$' "$T/ls" || fail "/bin/sh is not a symlink: $(grep ' sh$' "$T/ls")"
	[ "$(owner_of "$T/bb.img" /bin/busybox)" = "0 0 0755 regular" ] ||
		fail "busybox: $(owner_of "$T/bb.img" /bin/busybox)"
	[ "$(in_image "$T/bb.img" 'cat /etc/passwd')" = "$(cat "$UMLRUN_BUNDLE/rootfs/etc/passwd")" ] ||
		fail "/etc/passwd differs"
	# the default size: files x 1.5 + 64M, in 4M steps; and sparse
	local size used
	size=$(stat -c %s "$T/bb.img")
	[ $((size % (4 << 20))) -eq 0 ] && [ "$size" -ge $((64 << 20)) ] && [ "$size" -lt $((128 << 20)) ] ||
		fail "default size $size"
	used=$(($(stat -c %b "$T/bb.img") * 512))
	[ "$used" -lt $((size / 4)) ] || fail "not sparse: $used of $size bytes allocated"
	no_temp "$T"
}

test_image_build_size_and_root_mode() {
	need_e2fsprogs
	mkdir -p "$T/tree/sub"
	echo data > "$T/tree/sub/f"
	chmod 0750 "$T/tree"
	chown 12:34 "$T/tree"
	"$UMLRUN" image build --size 20M "$T/tree" "$T/s.img" 2> "$T/e" || fail "build: $(cat "$T/e")"
	[ "$(stat -c %s "$T/s.img")" = $((20 << 20)) ] || fail "size $(stat -c %s "$T/s.img")"
	[ "$(owner_of "$T/s.img" /)" = "12 34 0750 directory" ] || fail "root: $(owner_of "$T/s.img" /)"
	[ "$(in_image "$T/s.img" 'cat /sub/f')" = data ] || fail "/sub/f"
	"$UMLRUN" image build --size 20Q "$T/tree" "$T/q.img" 2> "$T/e" && fail "--size 20Q accepted"
	grep -q -- '--size "20Q"' "$T/e" || fail "error: $(cat "$T/e")"
	"$UMLRUN" image build --size 2M "$UMLRUN_BUNDLE/rootfs" "$T/q.img" 2> "$T/e" && fail "2M image of busybox"
	grep -q 'mke2fs failed: .*Could not allocate block' "$T/e" || fail "error: $(cat "$T/e")"
	[ ! -e "$T/q.img" ] || fail "a failed build left its image"
	no_temp "$T"
}

# As nobody, of a rootfs nobody owns: files keep nobody's ids, or become
# root's with --owner 0:0; files of other owners become the overflow id.
test_image_build_owner_as_unprivileged_user() {
	need_e2fsprogs
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch to nobody"
	setpriv --reuid nobody --regid nogroup --clear-groups unshare -U true 2> /dev/null ||
		skip "unprivileged user namespaces are not available"
	chmod 755 "$T"
	mkdir "$T/src" "$T/out"
	cp -a "$UMLRUN_BUNDLE/rootfs" "$T/src/r"
	chown -R nobody:nogroup "$T/src/r"
	chown root:root "$T/src/r/etc/passwd"
	chown nobody "$T/out"
	local nob=(setpriv --reuid nobody --regid nogroup --clear-groups)
	"${nob[@]}" "$UMLRUN" image build --owner 0:0 "$T/src/r" "$T/out/root.img" 2> "$T/e" ||
		fail "build --owner 0:0: $(cat "$T/e")"
	[ "$(owner_of "$T/out/root.img" /bin/busybox)" = "0 0 0755 regular" ] ||
		fail "busybox: $(owner_of "$T/out/root.img" /bin/busybox)"
	[ "$(owner_of "$T/out/root.img" /)" = "0 0 0755 directory" ] || fail "root: $(owner_of "$T/out/root.img" /)"
	[ "$(owner_of "$T/out/root.img" /etc/passwd | cut -d' ' -f1-2)" = "65534 65534" ] ||
		fail "a file of another owner: $(owner_of "$T/out/root.img" /etc/passwd)"
	e2fsck -fn "$T/out/root.img" > "$T/fsck" 2>&1 || fail "e2fsck: $(cat "$T/fsck")"
	"${nob[@]}" "$UMLRUN" image build "$T/src/r" "$T/out/plain.img" 2> "$T/e" || fail "build: $(cat "$T/e")"
	[ "$(owner_of "$T/out/plain.img" /bin/busybox | cut -d' ' -f1-2)" = "$(id -u nobody) $(getent group nogroup | cut -d: -f3)" ] ||
		fail "without --owner: $(owner_of "$T/out/plain.img" /bin/busybox)"
	"${nob[@]}" "$UMLRUN" image build --owner 0 "$T/src/r" "$T/out/x.img" 2> "$T/e" && fail "--owner 0 accepted"
	grep -q 'want UID:GID' "$T/e" || fail "error: $(cat "$T/e")"
	no_temp "$T/out"
}

test_image_build_manifest() {
	need_e2fsprogs
	cat > "$T/manifest" <<-'EOF'
	# owners and modes in the image
	/bin/busybox 4755 0 0

	/etc	0700 1000 1001
	/bin/sh 0777 5 6
	/ 0751 0 0
	/etc/passwd 0600 100000 100001
	EOF
	"$UMLRUN" image build --manifest "$T/manifest" "$UMLRUN_BUNDLE/rootfs" "$T/m.img" 2> "$T/e" ||
		fail "build: $(cat "$T/e")"
	[ "$(owner_of "$T/m.img" /bin/busybox)" = "0 0 04755 regular" ] || fail "busybox: $(owner_of "$T/m.img" /bin/busybox)"
	[ "$(owner_of "$T/m.img" /etc)" = "1000 1001 0700 directory" ] || fail "/etc: $(owner_of "$T/m.img" /etc)"
	[ "$(owner_of "$T/m.img" /bin/sh)" = "5 6 0777 symlink" ] || fail "/bin/sh (a symlink): $(owner_of "$T/m.img" /bin/sh)"
	[ "$(owner_of "$T/m.img" /)" = "0 0 0751 directory" ] || fail "/: $(owner_of "$T/m.img" /)"
	[ "$(owner_of "$T/m.img" /etc/passwd)" = "100000 100001 0600 regular" ] ||
		fail "32-bit ids: $(owner_of "$T/m.img" /etc/passwd)"
	e2fsck -fn "$T/m.img" > "$T/fsck" 2>&1 || fail "e2fsck: $(cat "$T/fsck")"
}

test_image_build_bad_manifest_leaves_nothing() {
	need_e2fsprogs
	local line want
	while IFS='|' read -r line want; do
		printf '/bin 0755 0 0\n%s\n' "$line" > "$T/manifest"
		"$UMLRUN" image build --manifest "$T/manifest" "$UMLRUN_BUNDLE/rootfs" "$T/m.img" 2> "$T/e"
		[ $? -eq 1 ] || fail "\"$line\": want exit 1"
		grep -qF -- "$T/manifest:2: $want" "$T/e" || fail "\"$line\": error: $(cat "$T/e")"
		[ ! -e "$T/m.img" ] || fail "\"$line\" left an image"
		no_temp "$T"
	done <<-'EOF'
	/no/such/file 0644 0 0|/no/such/file is not in
	bin/busybox 0644 0 0|path "bin/busybox" is not absolute
	/bin/busybox 0844 0 0|mode "0844"
	/bin/busybox 100644 0 0|mode "100644"
	/bin/busybox 0644 root 0|uid "root"
	/bin/busybox 0644 0 -1|gid "-1"
	/bin/busybox 0644 0|want "PATH MODE UID GID", found 3 fields
	/bin/../etc 0644 0 0|path "/bin/../etc": "." and ".." components
	EOF
	"$UMLRUN" image build --manifest "$T/nonexistent" "$UMLRUN_BUNDLE/rootfs" "$T/m.img" 2> "$T/e" &&
		fail "a missing manifest accepted"
	grep -q "$T/nonexistent" "$T/e" || fail "error: $(cat "$T/e")"
	[ ! -e "$T/m.img" ] || fail "a missing manifest left an image"
}

test_image_build_refuses_existing_image() {
	need_e2fsprogs
	echo keep > "$T/x.img"
	"$UMLRUN" image build "$UMLRUN_BUNDLE/rootfs" "$T/x.img" 2> "$T/e" && fail "overwrote an image"
	grep -q "x.img exists: use --force" "$T/e" || fail "error: $(cat "$T/e")"
	[ "$(cat "$T/x.img")" = keep ] || fail "the existing file changed"
	"$UMLRUN" image build --force "$UMLRUN_BUNDLE/rootfs" "$T/x.img" 2> "$T/e" || fail "--force: $(cat "$T/e")"
	e2fsck -fn "$T/x.img" > /dev/null 2>&1 || fail "the replaced image is not clean"
	mkdir "$T/d.img"
	"$UMLRUN" image build --force "$UMLRUN_BUNDLE/rootfs" "$T/d.img" 2> "$T/e" && fail "replaced a directory"
	grep -q "not a regular file" "$T/e" || fail "error: $(cat "$T/e")"
	"$UMLRUN" image build "$T/nonexistent" "$T/y.img" 2> "$T/e" && fail "a missing directory accepted"
	grep -q "directory $T/nonexistent: No such file" "$T/e" || fail "error: $(cat "$T/e")"
	no_temp "$T"
}

# On a full filesystem: an error naming the path, and nothing left.
test_image_build_and_commit_on_a_full_filesystem() {
	need_e2fsprogs
	[ "$(id -u)" -eq 0 ] || skip "needs root for a private tmpfs"
	"$UMLRUN" image build "$UMLRUN_BUNDLE/rootfs" "$T/base.img" 2> "$T/e" || fail "build: $(cat "$T/e")"
	make_kernel_cow "$T/base.img" "$T/root.cow" 'echo x > /x'
	mkdir "$T/small"
	unshare -m sh -c '
		mount -t tmpfs -o size=256k tmpfs "$1/small" || exit 99
		"$2" image build "$3" "$1/small/b.img" 2> "$1/e1"; echo $? > "$1/rc1"
		"$2" image commit "$1/root.cow" "$1/small/new.img" 2> "$1/e2"; echo $? > "$1/rc2"
		ls -A "$1/small" > "$1/left"' sh "$T" "$UMLRUN" "$UMLRUN_BUNDLE/rootfs"
	[ $? -ne 99 ] || skip "cannot mount a tmpfs"
	[ "$(cat "$T/rc1")" = 1 ] || fail "build on a full tmpfs: exit $(cat "$T/rc1")"
	grep -q "No space left on device" "$T/e1" || fail "build error: $(cat "$T/e1")"
	[ "$(cat "$T/rc2")" = 1 ] || fail "commit on a full tmpfs: exit $(cat "$T/rc2")"
	grep -q "small/new.img.*No space left on device" "$T/e2" || fail "commit error: $(cat "$T/e2")"
	[ ! -s "$T/left" ] || fail "left on the full filesystem: $(cat "$T/left")"
}

# make_kernel_cow BASE COW SHELL_CMDS: boots the guest kernel directly on
# ubd0=COW,BASE with an init that runs SHELL_CMDS in the image, so the
# kernel makes and writes COW. BASE must hold /bin/sh (busybox).
make_kernel_cow() {
	local base=$1 cow=$2 cmds=$3
	[ -x "${UMLRUN_KERNEL:-}" ] || skip "no guest kernel"
	# the init script goes into the base itself, as the only change to it
	printf '#!/bin/sh\nmount -t proc proc /proc\nmount -t devtmpfs dev /dev\n%s\nsync\nmount -o remount,ro /\necho GUEST-DONE\npoweroff -f\n' \
		"$cmds" > "$T/init.sh"
	debugfs -w -R "write $T/init.sh /init.sh" "$base" > /dev/null 2>&1 || fail "debugfs write init.sh"
	debugfs -w -R "sif /init.sh mode 0100755" "$base" > /dev/null 2>&1 || fail "debugfs chmod init.sh"
	mkdir -p "$T/uml"
	GLIBC_TUNABLES=glibc.pthread.rseq=0 timeout 60 "$UMLRUN_KERNEL" mem=64M "ubd0=$cow,$base" \
		root=/dev/ubda rw init=/init.sh con=null con0=fd:0,fd:1 "uml_dir=$T/uml" umid=imgtest \
		< /dev/null > "$T/kernel.log" 2>&1
	grep -q GUEST-DONE "$T/kernel.log" || fail "the guest did not finish: $(tail -n 20 "$T/kernel.log")"
	grep -q "Creating \"$cow\" as COW file" "$T/kernel.log" || fail "the kernel did not make $cow"
}

test_image_commit_after_boot() {
	need_e2fsprogs
	"$UMLRUN" image build "$UMLRUN_BUNDLE/rootfs" "$T/base.img" 2> "$T/e" || fail "build: $(cat "$T/e")"
	make_kernel_cow "$T/base.img" "$T/root.cow" '
echo hello-from-the-guest > /hello
dd if=/dev/urandom of=/big bs=1k count=3000 2>/dev/null
sha256sum /big > /big.sha
rm /bin/ls
mkdir -p /var/lib/x && echo deep > /var/lib/x/file'
	cp --sparse=always "$T/base.img" "$T/base.copy"
	# cow_create writes what the kernel wrote
	UMLRUN_TEST_KERNEL_COW=$T/root.cow UMLRUN_TEST_KERNEL_BASE=$T/base.img \
		"$UMLRUN_BUILDDIR/tests/unit/test-cow" > "$T/tap" 2>&1
	grep -q '^not ok' "$T/tap" && fail "test-cow against the kernel's COW file: $(grep '^not ok' "$T/tap")"
	grep -q "every field and the file size are the kernel's" "$T/tap" || fail "no kernel comparison ran: $(tail -n 3 "$T/tap")"

	"$UMLRUN" image commit "$T/root.cow" "$T/new.img" 2> "$T/e" || fail "commit: $(cat "$T/e")"
	cmp -s "$T/base.img" "$T/base.copy" || fail "the base image changed"
	e2fsck -fn "$T/new.img" > "$T/fsck" 2>&1 || fail "e2fsck of the new image: $(cat "$T/fsck")"
	grep -q needs_recovery <(dumpe2fs -h "$T/new.img" 2> /dev/null) && fail "the new image needs journal recovery"
	[ "$(in_image "$T/new.img" 'cat /hello')" = hello-from-the-guest ] || fail "/hello: $(in_image "$T/new.img" 'cat /hello')"
	[ "$(in_image "$T/new.img" 'cat /var/lib/x/file')" = deep ] || fail "/var/lib/x/file"
	in_image "$T/new.img" 'stat /bin/ls' | grep -q '^Inode:' && fail "/bin/ls is still there"
	in_image "$T/new.img" "dump /big $T/big" > /dev/null
	[ "$(sha256sum < "$T/big" | cut -d' ' -f1)" = "$(in_image "$T/new.img" 'cat /big.sha' | cut -d' ' -f1)" ] ||
		fail "/big differs from what the guest wrote"
	[ "$(stat -c %s "$T/new.img")" = "$(stat -c %s "$T/base.img")" ] || fail "size differs"
	no_temp "$T"
	# the same bytes as UML's own tool (Debian's uml-utilities), when installed
	if command -v uml_moo > /dev/null; then
		uml_moo "$T/root.cow" "$T/moo.img" > "$T/moo.log" 2>&1 || fail "uml_moo: $(cat "$T/moo.log")"
		cmp "$T/moo.img" "$T/new.img" || fail "the new image differs from uml_moo's"
	fi
	# NEWIMAGE exists: refused, unchanged
	"$UMLRUN" image commit "$T/root.cow" "$T/new.img" 2> "$T/e" && fail "overwrote NEWIMAGE"
	grep -q "new.img exists" "$T/e" || fail "error: $(cat "$T/e")"
	e2fsck -fn "$T/new.img" > /dev/null 2>&1 || fail "the refused NEWIMAGE changed"
}

test_image_commit_in_place() {
	need_e2fsprogs
	"$UMLRUN" image build "$UMLRUN_BUNDLE/rootfs" "$T/base.img" 2> "$T/e" || fail "build: $(cat "$T/e")"
	make_kernel_cow "$T/base.img" "$T/root.cow" 'echo in-place > /etc/motd'
	"$UMLRUN" image commit "$T/root.cow" "$T/new.img" "$T/extra" 2> /dev/null && fail "3 arguments accepted"
	"$UMLRUN" image commit --in-place "$T/root.cow" "$T/new.img" 2> /dev/null && fail "--in-place with NEWIMAGE accepted"
	"$UMLRUN" image commit --in-place "$T/root.cow" 2> "$T/e" || fail "commit --in-place: $(cat "$T/e")"
	grep -q "now in $T/base.img" "$T/e" || fail "no notice: $(cat "$T/e")"
	[ ! -e "$T/root.cow" ] || fail "the COW file is still there"
	[ "$(in_image "$T/base.img" 'cat /etc/motd')" = in-place ] || fail "/etc/motd: $(in_image "$T/base.img" 'cat /etc/motd')"
	e2fsck -fn "$T/base.img" > "$T/fsck" 2>&1 || fail "e2fsck: $(cat "$T/fsck")"
}

test_image_commit_refusals() {
	need_e2fsprogs
	"$UMLRUN" image build "$UMLRUN_BUNDLE/rootfs" "$T/base.img" 2> "$T/e" || fail "build: $(cat "$T/e")"
	make_kernel_cow "$T/base.img" "$T/root.cow" 'echo x > /x'
	# the base changed since the COW file was made
	touch -d '2001-01-01' "$T/base.img"
	"$UMLRUN" image commit "$T/root.cow" "$T/new.img" 2> "$T/e" && fail "a changed base accepted"
	grep -q "COW file $T/root.cow was made from a different version of $T/base.img (size [0-9]*, mtime [0-9]*; now size [0-9]*, mtime 978307200): the base image changed since" "$T/e" ||
		fail "error: $(cat "$T/e")"
	"$UMLRUN" image commit --in-place "$T/root.cow" 2> "$T/e" && fail "in place on a changed base"
	[ -e "$T/root.cow" ] || fail "the refused COW file was removed"
	"$UMLRUN" image commit "$T/base.img" "$T/new.img" 2> "$T/e" && fail "an image as COW file accepted"
	grep -q "is not a UML COW file" "$T/e" || fail "error: $(cat "$T/e")"
	[ ! -e "$T/new.img" ] || fail "a refused commit left NEWIMAGE"
	"$UMLRUN" image commit "$T/none.cow" "$T/new.img" 2> "$T/e" && fail "a missing COW file accepted"
	grep -q "none.cow: No such file" "$T/e" || fail "error: $(cat "$T/e")"
	"$UMLRUN" image frobnicate 2> "$T/e" && fail "an unknown image command accepted"
	grep -q 'unknown command "frobnicate"' "$T/e" || fail "error: $(cat "$T/e")"
	no_temp "$T"
}

# By container id: a container that runs, one without an image root, and
# an id that is not a container.
test_image_commit_by_id_refusals() {
	need_e2fsprogs
	"${UML[@]}" image commit nosuch "$T/new.img" 2> "$T/e" && fail "a missing container accepted"
	grep -q 'container "nosuch" does not exist' "$T/e" || fail "error: $(cat "$T/e")"
	new_bundle "$T/d" false '["sleep", "100"]'
	"${UML[@]}" create -b "$T/d" dirroot 2> "$T/e" || fail "create: $(cat "$T/e")"
	"${UML[@]}" image commit dirroot "$T/new.img" 2> "$T/e" && fail "commit of a created container"
	grep -q "container dirroot is created: stop it before commit" "$T/e" || fail "error: $(cat "$T/e")"
	"${UML[@]}" kill dirroot KILL
	local i
	for i in $(seq 200); do
		"${UML[@]}" state dirroot 2> /dev/null | grep -q '"stopped"' && break
		sleep 0.1
	done
	"${UML[@]}" image commit dirroot "$T/new.img" 2> "$T/e" && fail "commit of a directory root"
	grep -q "container dirroot does not boot from an image" "$T/e" || fail "error: $(cat "$T/e")"
	"${UML[@]}" delete -f dirroot
	[ ! -e "$T/new.img" ] || fail "a refused commit left NEWIMAGE"
}

# A signal while mke2fs runs ends it, removes the temporary image, then ends
# umlrun with that signal; a missing mke2fs is named.
test_image_build_interrupted_or_without_mke2fs() {
	mkdir "$T/bin"
	printf '#!/bin/sh\necho $$ > "%s/started"\nexec sleep 30\n' "$T" > "$T/bin/mke2fs"
	chmod 755 "$T/bin/mke2fs"
	PATH=$T/bin:$PATH "$UMLRUN" image build "$UMLRUN_BUNDLE/rootfs" "$T/x.img" 2> "$T/e" &
	local pid=$! rc
	wait_for "$T/started" '[0-9]' || { kill "$pid"; fail "the fake mke2fs did not start"; }
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	[ "$rc" -eq 143 ] || fail "exit $rc, want 143: $(cat "$T/e")"
	grep -q "interrupted by signal 15 while mke2fs ran" "$T/e" || fail "error: $(cat "$T/e")"
	[ ! -e "$T/x.img" ] || fail "an interrupted build left its image"
	no_temp "$T"
	kill -0 "$(cat "$T/started")" 2> /dev/null && fail "mke2fs still runs"
	rm "$T/bin/mke2fs"
	PATH=$T/bin "$UMLRUN" image build "$UMLRUN_BUNDLE/rootfs" "$T/x.img" 2> "$T/e" && fail "built without mke2fs"
	grep -q "cannot run mke2fs (from e2fsprogs): No such file or directory" "$T/e" || fail "error: $(cat "$T/e")"
	no_temp "$T"
}
