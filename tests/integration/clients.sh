# tests/integration/clients.sh: real OCI clients driving umlrun: podman
# (through conmon) and containerd (through containerd-shim-runc-v2). Both
# need root; the busybox rootfs is imported as a local image (no registry).

# A private podman storage, shared by these tests (kept between runs: the
# image import is the slow part).
PODMAN_STORE=/var/tmp/umlrun-podman-test
PODMAN_IMAGE=localhost/umlrun-busybox:test

podman_setup() {
	[ "$(id -u)" -eq 0 ] || skip "podman tests need root"
	command -v podman > /dev/null || skip "podman is not installed"
	PODMAN=(podman --root "$PODMAN_STORE/root" --runroot "$PODMAN_STORE/run"
		--cgroup-manager cgroupfs --runtime "$(command -v "$UMLRUN" || echo "$UMLRUN")")
	if ! "${PODMAN[@]}" image exists "$PODMAN_IMAGE" 2> /dev/null; then
		tar -C "$UMLRUN_BUNDLE/rootfs" -cf "$T/rootfs.tar" . || fail "tar"
		"${PODMAN[@]}" import "$T/rootfs.tar" "$PODMAN_IMAGE" > /dev/null ||
			fail "podman import"
	fi
}

# Fails if a sandbox of container ID (under podman's /run/umlrun) is left.
podman_no_leak() {
	local i left
	for i in $(seq 100); do
		left=$(sandbox_pids "/run/umlrun/$1")
		[ -z "$left" ] && break
		sleep 0.1
	done
	[ -z "$left" ] || fail "kernel processes of $1 left: $left"
	[ ! -e "/run/umlrun/$1" ] || fail "state of $1 left in /run/umlrun"
}

test_podman_run_rm_echo() {
	podman_setup
	local out
	out=$("${PODMAN[@]}" run --rm "$PODMAN_IMAGE" echo hi) || fail "podman run exited $?"
	[ "$out" = hi ] || fail "output: $out"
}

test_podman_exit_code_reaches_the_client() {
	podman_setup
	"${PODMAN[@]}" run --rm "$PODMAN_IMAGE" sh -c 'exit 7'
	[ $? -eq 7 ] || fail "podman run: want exit code 7"
	"${PODMAN[@]}" run --rm "$PODMAN_IMAGE" sh -c 'kill -KILL $$'
	[ $? -eq 137 ] || fail "podman run: want 137 for a SIGKILLed process"
}

test_podman_detached_exec_stop_rm() {
	podman_setup
	local id out
	id=$("${PODMAN[@]}" run -d "$PODMAN_IMAGE" sh -c 'echo service-up; exec sleep 1000') ||
		fail "podman run -d"
	out=$("${PODMAN[@]}" exec "$id" sh -c 'echo exec-out; exit 4')
	[ $? -eq 4 ] || { "${PODMAN[@]}" rm -f "$id"; fail "podman exec: want exit 4"; }
	[ "$out" = exec-out ] || { "${PODMAN[@]}" rm -f "$id"; fail "podman exec output: $out"; }
	[ "$("${PODMAN[@]}" inspect -f '{{.State.Status}}' "$id")" = running ] ||
		{ "${PODMAN[@]}" rm -f "$id"; fail "not running"; }
	"${PODMAN[@]}" logs "$id" | grep -q service-up || { "${PODMAN[@]}" rm -f "$id"; fail "logs"; }
	"${PODMAN[@]}" stop -t 5 "$id" > /dev/null || { "${PODMAN[@]}" rm -f "$id"; fail "podman stop"; }
	[ "$("${PODMAN[@]}" inspect -f '{{.State.Status}}' "$id")" = exited ] ||
		{ "${PODMAN[@]}" rm -f "$id"; fail "status after stop"; }
	"${PODMAN[@]}" rm "$id" > /dev/null || fail "podman rm"
	podman_no_leak "$id"
}

test_podman_rm_force_of_a_running_container() {
	podman_setup
	local id
	id=$("${PODMAN[@]}" run -d "$PODMAN_IMAGE" sleep 1000) || fail "podman run -d"
	"${PODMAN[@]}" rm -f "$id" > /dev/null || fail "podman rm -f"
	podman_no_leak "$id"
}

test_podman_container_writes_do_not_touch_the_image() {
	podman_setup
	"${PODMAN[@]}" run --rm "$PODMAN_IMAGE" sh -c 'echo x > /bin/new-file && rm /bin/ls' ||
		fail "writing in the container failed"
	"${PODMAN[@]}" run --rm "$PODMAN_IMAGE" sh -c '[ ! -e /bin/new-file ] && [ -e /bin/ls ]' ||
		fail "a container's writes leaked into the image"
}

# ---- containerd ----

ctd_setup() {
	[ "$(id -u)" -eq 0 ] || skip "containerd tests need root"
	command -v containerd > /dev/null && command -v ctr > /dev/null ||
		skip "containerd is not installed"
	command -v podman > /dev/null || skip "podman is needed to build the image archive"
	podman_setup
	CTD=/var/tmp/umlrun-ctd-test.$$
	mkdir -p "$CTD"
	cat > "$CTD/config.toml" <<EOF
version = 2
root = "$CTD/root"
state = "$CTD/state"
[grpc]
  address = "$CTD/ctd.sock"
EOF
	containerd --config "$CTD/config.toml" > "$CTD/log" 2>&1 &
	CTD_PID=$!
	local i
	for i in $(seq 100); do [ -S "$CTD/ctd.sock" ] && break; sleep 0.1; done
	CTR=(ctr -a "$CTD/ctd.sock")
	"${PODMAN[@]}" save --format oci-archive -o "$T/img.tar" "$PODMAN_IMAGE" > /dev/null 2>&1 ||
		fail "podman save"
	"${CTR[@]}" images import --base-name localhost/umlrun-busybox "$T/img.tar" > /dev/null ||
		fail "ctr images import: $(tail -5 "$CTD/log")"
}

ctd_teardown() {
	kill "$CTD_PID" 2> /dev/null
	wait "$CTD_PID" 2> /dev/null
	grep ' '"$CTD"/ /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
	rm -rf "$CTD"
}

test_containerd_ctr_run_returns_the_exit_code() {
	ctd_setup
	local out rc
	out=$("${CTR[@]}" run --rm --runc-binary "$(command -v "$UMLRUN" || echo "$UMLRUN")" \
		localhost/umlrun-busybox:test ctr1 sh -c 'echo hello-from-containerd; exit 5')
	rc=$?
	ctd_teardown
	[ "$rc" -eq 5 ] || fail "ctr run exit code $rc, want 5"
	[ "$out" = hello-from-containerd ] || fail "output: $out"
	[ -z "$(sandbox_pids "/run/containerd/runc/default/ctr1")" ] || fail "kernel processes left"
}

# ---- podman with a terminal (issue 8), under tmux ----

# tests/tmux.sh's terminal; podman's start is slower: waits poll ~60 s.
. "$UMLRUN_SRCDIR/tests/tmux.sh"
CON_TRIES=600

test_podman_run_it_under_tmux() {
	podman_setup
	con_start
	con_type "$(printf '%q ' "${PODMAN[@]}" run -it --rm "$PODMAN_IMAGE" sh); echo EXIT=\$?"
	con_at_prompt
	con_type 'echo $((6*7)); tty'
	con_expect '^42$' "podman run -it: typed command did not run"
	con_expect '^/dev/pts/[0-9]+$' "podman run -it: tty is not a /dev/pts path"
	con_type 'echo size-$(stty size | tr " " x)'
	con_expect '^size-24x80$' "podman run -it: initial window size"
	con_resize_and_check 70 15
	con_type "sh -c 'echo sleeping-\$((1+1)); exec sleep 100'"
	con_expect '^sleeping-2$' "podman run -it: the foreground job did not start"
	TM send-keys -t con C-c
	con_at_prompt
	con_type 'echo status-$?'
	con_expect '^status-130$' "podman run -it: Ctrl-C"
	con_type 'exit 5'
	con_expect '^EXIT=5$' "podman run -it: exit 5 did not reach the client"
	! con_pane | grep -Eq 'Linux version|^\[ *[0-9]+\.[0-9]+\]' || fail "kernel messages on the terminal"
	con_end
}

test_podman_exec_it_under_tmux() {
	podman_setup
	local id
	id=$("${PODMAN[@]}" run -d "$PODMAN_IMAGE" sleep 1000) || fail "podman run -d"
	con_start
	trap 'con_end; "${PODMAN[@]}" rm -f "$id" > /dev/null 2>&1' EXIT
	con_type "$(printf '%q ' "${PODMAN[@]}" exec -it "$id" sh); echo EXIT=\$?"
	con_at_prompt
	con_type 'tty'
	con_expect '^/dev/pts/[0-9]+$' "podman exec -it: tty is not a /dev/pts path"
	con_resize_and_check 90 20
	con_type 'exit 4'
	con_expect '^EXIT=4$' "podman exec -it: exit 4 did not reach the client"
	con_end
	[ "$("${PODMAN[@]}" inspect -f '{{.State.Status}}' "$id")" = running ] ||
		fail "the container did not survive the exec session"
	"${PODMAN[@]}" rm -f "$id" > /dev/null || fail "podman rm -f"
	trap - EXIT
	podman_no_leak "$id"
}
