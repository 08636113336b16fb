#!/bin/sh
# Builds the libslirp that umlrun-netslirp links: Debian's libslirp source
# (the orig tarball of bookworm's 4.7.0-1, which carries no Debian patches),
# checked against the sha256 pinned here, with the patches in patches/
# applied, as a static library. Cached outside the source tree under a key
# made of the pinned source, the patches, this script and the compiler.
# Usage: build-libslirp.sh OUTDIR
#   OUTDIR gets include/slirp/*.h, libslirp.a and version.
# Environment: UMLRUN_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/umlrun),
#              UMLRUN_LIBSLIRP_TARBALL (a local copy of the tarball: no download),
#              UMLRUN_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -eu

version=4.7.0
tarball=libslirp_$version.orig.tar.bz2
sha256=358ce8b6ea59ec9deac937cc754f0115b992839e7b0cddf30ffb8f77dc21da82
mirror=${UMLRUN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
url=$mirror/pool/main/libs/libslirp/$tarball

out=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=${UMLRUN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/umlrun}

die() { echo "build-libslirp: $*" >&2; exit 1; }

for t in meson ninja pkg-config; do
	command -v "$t" > /dev/null || die "$t not found (apt-get install meson ninja-build pkg-config)"
done
pkg-config --exists glib-2.0 || die "glib-2.0 not found by pkg-config (apt-get install libglib2.0-dev)"

# The source: the user's copy, or the cached download, or the archive.
src=${UMLRUN_LIBSLIRP_TARBALL:-$cache/libslirp/$tarball}
if [ ! -r "$src" ]; then
	[ -z "${UMLRUN_LIBSLIRP_TARBALL:-}" ] || die "$src: UMLRUN_LIBSLIRP_TARBALL not readable"
	command -v curl > /dev/null || die "curl not found (apt-get install curl), or set UMLRUN_LIBSLIRP_TARBALL"
	echo "build-libslirp: downloading $url" >&2
	mkdir -p "$cache/libslirp"
	curl -fsSL --retry 3 -o "$src.part" "$url" || { rm -f "$src.part"; die "$url: download failed (set UMLRUN_LIBSLIRP_TARBALL to a local copy)"; }
	mv "$src.part" "$src"
fi
got=$(sha256sum < "$src" | cut -d' ' -f1)
if [ "$got" != "$sha256" ]; then
	# a bad download must not stay in the cache to fail every later build
	[ -n "${UMLRUN_LIBSLIRP_TARBALL:-}" ] || rm -f "$src"
	die "$src: sha256 $got, expected $sha256 (Debian's $tarball)"
fi

patches=$(find "$here/patches" -name '*.patch' | LC_ALL=C sort)
key=$( { echo "$sha256"; cat "$0" $patches; ${CC:-gcc} --version | head -n1; meson --version; } \
       | sha256sum | cut -c1-16)
dir=$cache/libslirp/$key

if [ ! -r "$dir/libslirp.a" ]; then
	echo "build-libslirp: building libslirp $version (key $key) in $cache" >&2
	tmp=$(mktemp -d "$cache/libslirp/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT INT TERM
	tar -C "$tmp" -xjf "$src"
	s=$tmp/libslirp-v$version
	[ -d "$s" ] || die "$src: no libslirp-v$version/ inside"
	for p in $patches; do
		patch -s -d "$s" -p1 < "$p" || die "$p does not apply"
	done
	# Debian's hardening flags where dpkg-buildflags exists: the library
	# parses every frame a hostile guest sends.
	flags=$(dpkg-buildflags --get CFLAGS 2> /dev/null || echo "-O2 -g")
	cppflags=$(dpkg-buildflags --get CPPFLAGS 2> /dev/null || true)
	CFLAGS="$flags $cppflags" meson setup --buildtype=plain --default-library=static \
		-Db_staticpic=true --prefix="$tmp/inst" --libdir=lib "$tmp/build" "$s" > "$tmp/log" 2>&1 ||
		{ cat "$tmp/log" >&2; die "meson setup failed"; }
	ninja -C "$tmp/build" install > "$tmp/log" 2>&1 || { tail -n 40 "$tmp/log" >&2; die "ninja failed"; }
	mkdir -p "$tmp/out/include"
	cp -r "$tmp/inst/include/slirp" "$tmp/out/include/"
	cp "$tmp/inst/lib/libslirp.a" "$tmp/out/"
	echo "$version $(basename -a $patches | tr '\n' ' ')" > "$tmp/out/version"
	rm -rf "$dir"
	mv "$tmp/out" "$dir"
fi
mkdir -p "$out"
rm -rf "$out/include.tmp"
cp -r "$dir/include" "$out/include.tmp" && rm -rf "$out/include" && mv "$out/include.tmp" "$out/include"
cp "$dir/version" "$out/version"
cp "$dir/libslirp.a" "$out/libslirp.a.tmp" && mv "$out/libslirp.a.tmp" "$out/libslirp.a"
echo "build-libslirp: $out/libslirp.a <- $dir" >&2
