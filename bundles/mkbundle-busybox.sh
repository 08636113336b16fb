#!/bin/sh
# Builds the busybox demo bundle from Debian's busybox-static: a rootfs with
# /bin/busybox and its applet links, and a config.json that prints facts only
# the guest knows. No download: busybox comes from the installed package.
# Usage: mkbundle-busybox.sh OUTDIR
set -eu

out=$1
busybox=${BUSYBOX:-/bin/busybox}
die() { echo "mkbundle-busybox: $*" >&2; exit 1; }

[ -x "$busybox" ] || die "$busybox not found (apt-get install busybox-static)"
! readelf -l "$busybox" 2>/dev/null | grep -q 'Requesting program interpreter' ||
	die "$busybox is not statically linked (apt-get install busybox-static)"

mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "${out%/}.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/rootfs
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/etc" \
	"$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/root" "$root/var" "$root/run"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
# Applet links, relative so they resolve inside the guest.
for applet in $("$root/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"

cat > "$tmp/config.json" <<'JSON'
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": [
			"sh", "-c",
			"echo \"Hello from inside the umlrun sandbox: $(hostname), guest kernel $(uname -s) $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPU, $(awk '/MemTotal/ {print $2 \" kB\"}' /proc/meminfo) RAM\""
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"HOME=/root",
			"TERM=xterm"
		],
		"cwd": "/",
		"noNewPrivileges": true
	},
	"root": { "path": "rootfs", "readonly": true },
	"hostname": "umlrun-demo",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] }
	],
	"linux": {
		"namespaces": [ { "type": "pid" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" } ]
	}
}
JSON
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT INT TERM
echo "mkbundle-busybox: built $out" >&2
