#!/bin/sh
# Builds the umlrun guest kernel (ARCH=um) from Debian's linux-source-6.12
# with the patches in patches/ applied, cached outside the source tree under a
# key made of the config fragment, the patches, this script, the kernel source
# version and the compiler version.
# Usage: build-kernel.sh FRAGMENT OUTPUT
# Environment: UMLRUN_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/umlrun),
#              UMLRUN_KSRC (default /usr/src/linux-source-6.12.tar.xz), JOBS.
set -eu

fragment=$1
out=$2
ksrc=${UMLRUN_KSRC:-/usr/src/linux-source-6.12.tar.xz}
cache=${UMLRUN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/umlrun}
jobs=${JOBS:-$(nproc)}

die() { echo "build-kernel: $*" >&2; exit 1; }

[ -r "$fragment" ] || die "$fragment: config fragment not readable"
[ -r "$ksrc" ] || die "$ksrc: not found (apt-get install linux-source-6.12)"

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || stat -c %s-%Y "$ksrc")
patches=$(find "$(dirname "$0")/patches" -name '*.patch' 2>/dev/null | LC_ALL=C sort)
key=$( { cat "$fragment" "$0" $patches; echo "$srcver"; ${CC:-gcc} --version | head -n1; } \
       | sha256sum | cut -c1-16)
dir=$cache/kernel/$key

if [ ! -x "$dir/linux" ]; then
	echo "build-kernel: building UML kernel $srcver (key $key) in $cache" >&2
	mkdir -p "$cache/kernel"
	tmp=$(mktemp -d "$cache/kernel/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT INT TERM
	tar -C "$tmp" -xf "$ksrc"
	src=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)
	for p in $patches; do
		patch -s -d "$src" -p1 < "$p" || die "$p does not apply"
	done
	make -s -C "$src" ARCH=um KCONFIG_ALLCONFIG="$(realpath "$fragment")" allnoconfig
	# Every =y in the fragment must have survived dependency resolution.
	grep -E '^CONFIG_[A-Z0-9_]+=y$' "$fragment" | while read -r opt; do
		grep -qx "$opt" "$src/.config" || die "$opt did not apply (missing dependency?)"
	done
	make -s -C "$src" ARCH=um -j"$jobs" linux
	strip -o "$tmp/linux" "$src/linux"
	mkdir -p "$dir"
	cp "$src/.config" "$dir/config"
	mv "$tmp/linux" "$dir/linux.new" && mv "$dir/linux.new" "$dir/linux"
	echo "$srcver" > "$dir/version"
fi
cp "$dir/linux" "$out.tmp" && mv "$out.tmp" "$out"
echo "build-kernel: $out <- $dir/linux" >&2
