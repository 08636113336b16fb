# tests/integration/fuzz.sh: the libFuzzer target for the config.json
# parser (tests/fuzz/run.sh), run for a bounded time (FUZZ_SECONDS, default
# 60). A crash, leak or sanitizer report fails the test; without clang and
# its libFuzzer runtime it is skipped.

test_fuzz_spec_parser() {
	# the target is always built with ASan and UBSan: once is enough
	case $UMLRUN in
	*/build-asan/*) skip "run once, in the first pass (the fuzz target has ASan and UBSan built in)" ;;
	esac
	"$UMLRUN_SRCDIR/tests/fuzz/run.sh" "${FUZZ_SECONDS:-60}"
}

test_fuzz_netslirp_frames() {
	# netslirp's frame input path (tests/fuzz/fuzz-netslirp.c), same budget
	case $UMLRUN in
	*/build-asan/*) skip "run once, in the first pass (the fuzz target has ASan and UBSan built in)" ;;
	esac
	"$UMLRUN_SRCDIR/tests/fuzz/run.sh" "${FUZZ_SECONDS:-60}" netslirp
}
