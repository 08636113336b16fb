# tests/escape/imageroot.sh: guest root in an image-root sandbox attacks what
# the kernel process's view holds for it: the shared base image (bound
# read-only next to the sandbox's own COW file) and the hostfs skeleton.
# The base is shared by every sandbox booted from it: its bytes must never
# change, and nothing else of the host may show.

image_attack() { # SCRIPT: runs SCRIPT as guest root in an image-root sandbox
	new_bundle "$T/b" false '["sh", "/attack.sh"]'
	printf '%s\n' "$1" > "$T/b/rootfs/attack.sh"
	"$UMLRUN" image build "$T/b/rootfs" "$T/b/root.img" --size 64M > "$T/build" 2>&1 ||
		fail "image build: $(cat "$T/build")"
	rm -rf "$T/b/rootfs"
	sed -i 's|"path": "rootfs"|"path": "root.img"|' "$T/b/config.json"
	BASE_SHA=$(sha256sum < "$T/b/root.img")
	"${UML[@]}" "$T/b" > "$T/o" 2> "$T/e"
	echo "exit $?"
	grep -q attack-ran "$T/o" || fail "the attack did not run: $(cat "$T/o" "$T/e")"
	[ "$(sha256sum < "$T/b/root.img")" = "$BASE_SHA" ] || fail "the base image changed"
}

test_base_image_is_read_only_through_hostfs() {
	image_attack "mkdir -p /m; for up in / /.. /../.. /../../..; do
		mount -t hostfs none /m -o \$up 2>/dev/null || continue
		ls -la /m /m/disk 2>&1
		dd if=/dev/zero of=/m/disk/base.img bs=4096 count=16 conv=notrunc 2>&1
		echo junk >> /m/disk/base.img 2>&1; truncate -s 0 /m/disk/base.img 2>&1
		rm -f /m/disk/base.img 2>&1; mv /m/disk/base.img /m/disk/x 2>&1
		umount /m; done; echo attack-ran"
	! grep -qE '^[-rwx]{10} .* (etc|home|root|work|var)$' "$T/o" ||
		fail "host directories visible: $(cat "$T/o")"
}

test_guest_writes_to_its_disk_stay_in_its_cow() {
	# raw writes to the block device, past the file system
	image_attack "dd if=/dev/urandom of=/dev/ubda bs=1M count=8 seek=16 conv=fsync 2>&1; echo attack-ran"
}
