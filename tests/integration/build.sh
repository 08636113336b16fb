# tests/integration/build.sh: the build's promises: `make install` honours
# DESTDIR and prefix, and `umlrun --help` and umlrun(8) agree.

test_make_install_honours_destdir() {
	make -s -C "$UMLRUN_BUILDDIR" install DESTDIR="$T/dest" > "$T/log" 2>&1 || fail "make install: $(tail "$T/log")"
	local prefix
	prefix=$(sed -n 's/^prefix = //p' "$UMLRUN_BUILDDIR/Makefile")
	for f in bin/umlrun libexec/umlrun/initramfs.cpio share/man/man8/umlrun.8; do
		[ -f "$T/dest$prefix/$f" ] || fail "missing $prefix/$f under DESTDIR"
	done
	if grep -q '^BUILD_KERNEL_TRUE = $' "$UMLRUN_BUILDDIR/Makefile"; then
		[ -x "$T/dest$prefix/libexec/umlrun/linux" ] || fail "kernel not installed"
	fi
	[ -z "$(find "$T/dest" -newer "$T/log" -path '*/tmp/*' 2>/dev/null)" ] || fail "files outside DESTDIR"
}

test_help_options_are_documented_in_the_man_page() {
	local man=$UMLRUN_SRCDIR/man/umlrun.8 opt
	local cmd
	"$UMLRUN" --help > "$T/h" || fail "--help exit $?"
	for cmd in run create start state list ps exec kill pause resume delete features check spec stop logs attach; do
		"$UMLRUN" "$cmd" --help >> "$T/h" || fail "$cmd --help exit $?"
	done
	for opt in $(grep -o -- '--[a-z][a-z-]*' "$T/h" | sort -u); do
		grep -q -- "$(sed 's/-/\\\\-/g' <<< "$opt")" "$man" || fail "$opt is in --help but not in umlrun(8)"
	done
	# (configure's --with-* options are mentioned too; they are not umlrun's)
	for opt in $(grep -o -- '\\-\\-[a-z][a-z\\-]*' "$man" | sed 's/\\//g' | grep -v '^--with' | sort -u); do
		grep -q -- "$opt" "$T/h" || fail "$opt is in umlrun(8) but not in --help"
	done
}

test_version() {
	"$UMLRUN" --version | grep -q '^umlrun version [0-9]' || fail "version: $("$UMLRUN" --version)"
}

# netslirp/libslirp/build-libslirp.sh refuses a source that is not Debian's
# (sha256 pinned) or not there, names it, and leaves no build or cache
# entry behind.
test_libslirp_build_refuses_a_wrong_or_missing_source() {
	local script=$UMLRUN_SRCDIR/netslirp/libslirp/build-libslirp.sh
	mkdir -p "$T/cache"
	head -c 109085 /dev/urandom > "$T/fake.tar.bz2"
	UMLRUN_CACHE=$T/cache UMLRUN_LIBSLIRP_TARBALL=$T/fake.tar.bz2 sh "$script" "$T/out" 2> "$T/e" &&
		fail "a tarball of random bytes was built"
	grep -q "$T/fake.tar.bz2: sha256 [0-9a-f]*, expected 358ce8b6" "$T/e" || fail "error: $(cat "$T/e")"
	UMLRUN_CACHE=$T/cache UMLRUN_LIBSLIRP_TARBALL=$T/none.tar.bz2 sh "$script" "$T/out" 2> "$T/e2" &&
		fail "a missing tarball was built"
	grep -q "$T/none.tar.bz2: UMLRUN_LIBSLIRP_TARBALL not readable" "$T/e2" || fail "error: $(cat "$T/e2")"
	[ ! -e "$T/out" ] || fail "output left behind: $(ls -R "$T/out")"
	[ -z "$(ls -A "$T/cache")" ] || fail "cache entries left behind: $(find "$T/cache")"
}
