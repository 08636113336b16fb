# tests/integration/spec.sh: config.json fields honoured inside the guest,
# each read back from inside it: process rlimits, noNewPrivileges,
# capabilities, oomScoreAdj; domainname; mounts; linux.sysctl, maskedPaths,
# readonlyPaths; seccomp; memory and pids limits; vm.kernel.parameters; and
# the refusals, which name the JSON path and leave nothing behind.

# spec_bundle DIR JQ_FILTER [JQ_OPTION...]: a new_bundle (writable root)
# whose config.json is then edited by the jq filter.
spec_bundle() {
	new_bundle "$1" false '["true"]'
	jq "${@:3}" "$2" "$1/config.json" > "$1/config.new" || fail "jq: $2"
	mv "$1/config.new" "$1/config.json"
}

# cap_mask NAME...: the hex mask /proc/PID/status shows for those capabilities.
cap_mask() {
	local m=0 c
	declare -A n=([CAP_CHOWN]=0 [CAP_KILL]=5 [CAP_SETUID]=7 [CAP_NET_BIND_SERVICE]=10
		[CAP_NET_RAW]=13 [CAP_SYS_ADMIN]=21)
	for c in "$@"; do m=$((m | (1 << ${n[$c]}))); done
	printf '%016x' "$m"
}

status_field() { # OUTPUT FIELD
	printf '%s\n' "$1" | awk -v f="$2:" '$1 == f {print $2}'
}

test_spec_rlimits_apply_in_guest() {
	spec_bundle "$T/b" '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 1000, "hard": 2000},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
		{"type": "RLIMIT_NPROC", "soft": 333, "hard": 444}]'
	local out
	out=$(run_in "$T/b" sh -c 'ulimit -n; ulimit -Hn; grep -E "^Max (processes|core)" /proc/self/limits') ||
		fail "exit $?"
	[ "$(sed -n 1p <<< "$out")" = 1000 ] || fail "soft nofile: $out"
	[ "$(sed -n 2p <<< "$out")" = 2000 ] || fail "hard nofile: $out"
	grep -Eq '^Max core file size +0 +0 ' <<< "$out" || fail "core: $out"
	grep -Eq '^Max processes +333 +444 ' <<< "$out" || fail "nproc: $out"
}

test_spec_no_new_privileges() {
	spec_bundle "$T/b" '.process.noNewPrivileges = true'
	run_in "$T/b" grep -x 'NoNewPrivs:	1' /proc/self/status > /dev/null || fail "NoNewPrivs is not 1"
	spec_bundle "$T/c" '.process.noNewPrivileges = false'
	run_in "$T/c" grep -x 'NoNewPrivs:	0' /proc/self/status > /dev/null || fail "NoNewPrivs is not 0"
}

test_spec_capabilities_of_root() {
	spec_bundle "$T/b" '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]}'
	local out want
	out=$(run_in "$T/b" cat /proc/self/status) || fail "exit $?"
	want=$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE)
	[ "$(status_field "$out" CapBnd)" = "$want" ] || fail "CapBnd: $(grep ^Cap <<< "$out")"
	[ "$(status_field "$out" CapEff)" = "$want" ] || fail "CapEff: $(grep ^Cap <<< "$out")"
	[ "$(status_field "$out" CapPrm)" = "$want" ] || fail "CapPrm: $(grep ^Cap <<< "$out")"
	# and the guest kernel enforces them: no CAP_SYS_ADMIN, no mount
	mkdir -p "$T/b/rootfs/mnt"
	run_in "$T/b" mount -t tmpfs none /mnt 2> "$T/err" && fail "mount without CAP_SYS_ADMIN worked"
	grep -qi "Operation not permitted\|Permission denied" "$T/err" || fail "mount: $(cat "$T/err")"
}

test_spec_capabilities_of_a_user_with_ambient() {
	spec_bundle "$T/b" '.process.user = {"uid": 1000, "gid": 1000} |
		.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
		"permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	local out
	out=$(run_in "$T/b" cat /proc/self/status) || fail "exit $?"
	[ "$(status_field "$out" Uid | cut -f1)" = 1000 ] || fail "uid: $(grep ^Uid <<< "$out")"
	[ "$(status_field "$out" CapBnd)" = "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_NET_RAW)" ] ||
		fail "CapBnd: $(grep ^Cap <<< "$out")"
	[ "$(status_field "$out" CapInh)" = "$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)" ] ||
		fail "CapInh: $(grep ^Cap <<< "$out")"
	# across exec, a non-root process keeps exactly its ambient set
	[ "$(status_field "$out" CapAmb)" = "$(cap_mask CAP_NET_BIND_SERVICE)" ] ||
		fail "CapAmb: $(grep ^Cap <<< "$out")"
	[ "$(status_field "$out" CapEff)" = "$(cap_mask CAP_NET_BIND_SERVICE)" ] ||
		fail "CapEff: $(grep ^Cap <<< "$out")"
	[ "$(status_field "$out" CapPrm)" = "$(cap_mask CAP_NET_BIND_SERVICE)" ] ||
		fail "CapPrm: $(grep ^Cap <<< "$out")"
}

test_spec_without_capabilities_root_keeps_all() {
	spec_bundle "$T/b" 'del(.process.capabilities)'
	local out
	out=$(run_in "$T/b" cat /proc/self/status) || fail "exit $?"
	[ "$(status_field "$out" CapEff)" = "$(status_field "$out" CapBnd)" ] &&
		[ "$(status_field "$out" CapBnd)" != 0000000000000000 ] || fail "$(grep ^Cap <<< "$out")"
}

test_spec_oom_score_adj() {
	spec_bundle "$T/b" '.process.oomScoreAdj = 500'
	[ "$(run_in "$T/b" cat /proc/self/oom_score_adj)" = 500 ] || fail "want 500"
	spec_bundle "$T/c" '.process.oomScoreAdj = -250'
	[ "$(run_in "$T/c" cat /proc/self/oom_score_adj)" = -250 ] || fail "want -250"
}

test_spec_hostname_and_domainname() {
	spec_bundle "$T/b" '.hostname = "web1" | .domainname = "example.org"'
	local out
	out=$(run_in "$T/b" sh -c 'hostname; cat /proc/sys/kernel/domainname') || fail "exit $?"
	[ "$out" = $'web1\nexample.org' ] || fail "names: $out"
}

test_spec_mounts_of_every_guest_type() {
	spec_bundle "$T/b" '.mounts = [
		{"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
		{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=65536k"]},
		{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
		{"destination": "/dev/pts", "type": "devpts", "source": "devpts",
		 "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
		{"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
		{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
		 "options": ["rprivate", "nosuid", "noexec", "nodev", "relatime", "ro"]},
		{"destination": "/scratch/deep", "type": "tmpfs", "source": "tmpfs",
		 "options": ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup", "size=2m", "mode=0710"]}]'
	local out
	out=$(run_in "$T/b" sh -c 'cat /proc/mounts; stat -c "mode %a" /scratch/deep; df -k /scratch/deep | tail -n 1
		dd if=/dev/zero of=/scratch/deep/f bs=1k count=3000 2>&1 >/dev/null | grep -o "No space left on device"
		ls /dev/null') ||
		fail "exit $?: $out"
	grep -q '^proc /proc proc rw,nosuid,nodev,noexec' <<< "$out" || fail "proc: $out"
	grep -q '^sysfs /sys sysfs ro,nosuid,nodev,noexec' <<< "$out" || fail "sysfs: $out"
	grep -q '^devpts /dev/pts devpts rw,nosuid,noexec.*gid=5,mode=620,ptmxmode=666' <<< "$out" || fail "devpts: $out"
	grep -q '^mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec' <<< "$out" || fail "mqueue: $out"
	grep -q '^cgroup /sys/fs/cgroup cgroup2 ro,nosuid,nodev,noexec' <<< "$out" || fail "cgroup: $out"
	grep -q '^tmpfs /scratch/deep tmpfs rw,nosuid,nodev.*size=2048k,mode=710' <<< "$out" || fail "tmpfs: $out"
	grep -q '^mode 710$' <<< "$out" || fail "tmpfs mode: $out"
	grep -Eq '^tmpfs +2048 ' <<< "$out" || fail "tmpfs size: $out"
	grep -q 'No space left on device' <<< "$out" || fail "3 MB fit in a 2 MB tmpfs: $out"
	# /dev stays the guest's devtmpfs, with its devices
	grep -q '^devtmpfs /dev devtmpfs' <<< "$out" || fail "/dev: $out"
	grep -qx /dev/null <<< "$out" || fail "/dev/null: $out"
}

test_spec_bind_mounts_next_to_other_mounts() {
	# (two binds of one source would be one directory to the guest's hostfs)
	mkdir -p "$T/hostdir" "$T/hostdir2" && echo host-data > "$T/hostdir/f"
	echo host-data > "$T/hostdir2/f"
	spec_bundle "$T/b" '.mounts = [
		{"destination": "/data", "type": "bind", "source": $src, "options": ["rbind", "ro"]},
		{"destination": "/data2", "source": $src2, "options": ["bind"]},
		{"destination": "/t", "type": "tmpfs", "source": "tmpfs"}]' --arg src "$T/hostdir" \
		--arg src2 "$T/hostdir2"
	local out
	out=$(run_in "$T/b" sh -c 'cat /proc/mounts; cat /data/f /data2/f; echo x > /data/g || echo data-ro') ||
		fail "exit $?: $out"
	grep -q '^tmpfs /t tmpfs' <<< "$out" || fail "tmpfs after the bind mounts: $out"
	[ "$(grep -c '^host-data$' <<< "$out")" = 2 ] || fail "bind mounts: $out"
	grep -q data-ro <<< "$out" || fail "the ro bind was writable: $out"
	[ ! -e "$T/hostdir/g" ] || fail "a write reached the read-only source"
}

test_spec_unsupported_mount_type_is_refused() {
	spec_bundle "$T/b" '.mounts = [{"destination": "/m", "type": "ext4", "source": "/dev/sda1"}]'
	run_in "$T/b" true 2> "$T/err" && fail "ext4 mount accepted"
	grep -q 'config.json: mounts\[0\].type: "ext4": not supported in the guest' "$T/err" ||
		fail "error: $(cat "$T/err")"
}

test_spec_bad_mount_option_fails_naming_the_mount() {
	spec_bundle "$T/b" '.mounts = [{"destination": "/t", "type": "tmpfs", "source": "tmpfs"},
		{"destination": "/u", "type": "tmpfs", "source": "tmpfs", "options": ["size=lots"]}]'
	run_in "$T/b" true 2> "$T/err" && fail "bad tmpfs size accepted"
	grep -q 'config.json: mounts\[1\]: mount tmpfs on /u with size=lots' "$T/err" ||
		fail "error: $(cat "$T/err")"
}

test_spec_sysctl_is_written_in_the_guest() {
	spec_bundle "$T/b" '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "12345",
		"net/ipv4/ping_group_range": "0 0"}'
	local out
	out=$(run_in "$T/b" cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax \
		/proc/sys/net/ipv4/ping_group_range) || fail "exit $?"
	[ "$out" = $'1\n12345\n0\t0' ] || fail "sysctls: $out"
}

test_spec_unknown_sysctl_is_an_error_naming_it() {
	spec_bundle "$T/b" '.linux.sysctl = {"kernel.nosuch": "1"}'
	run_in "$T/b" true 2> "$T/err" && fail "unknown sysctl accepted"
	grep -q 'config.json: linux.sysctl: "kernel.nosuch": no such sysctl in the guest' "$T/err" ||
		fail "error: $(cat "$T/err")"
}

test_spec_masked_and_readonly_paths() {
	spec_bundle "$T/b" '.linux.maskedPaths = ["/etc/secret", "/etc/secretdir", "/no/such/path"] |
		.linux.readonlyPaths = ["/proc/sys", "/etc/rodir", "/no/such/dir"]'
	echo top-secret > "$T/b/rootfs/etc/secret"
	mkdir -p "$T/b/rootfs/etc/secretdir" "$T/b/rootfs/etc/rodir"
	echo hidden > "$T/b/rootfs/etc/secretdir/file"
	local out
	out=$(run_in "$T/b" sh -c 'echo "[$(cat /etc/secret)]"; echo "[$(ls /etc/secretdir)]"
		touch /etc/secretdir/x 2>&1; touch /etc/rodir/x 2>&1; echo 1 > /proc/sys/kernel/msgmax
		touch /etc/writable && echo writable' 2>&1)
	grep -qx '\[\]' <<< "$out" || fail "masked file or dir shows content: $out"
	[ "$(grep -c '\[\]' <<< "$out")" = 2 ] || fail "masked: $out"
	! grep -q 'top-secret\|hidden' <<< "$out" || fail "masked content leaked: $out"
	[ "$(grep -c 'Read-only file system' <<< "$out")" -ge 3 ] || fail "read-only paths: $out"
	grep -qx writable <<< "$out" || fail "the rest of the root should stay writable: $out"
}

# /usr/share/containers/seccomp.json (containers-common's format) as the OCI
# profile podman sends for a default container: rules that need a capability
# the default set lacks (e.g. CAP_SYS_ADMIN) or another architecture dropped.
podman_profile() {
	jq '{defaultAction, defaultErrnoRet, architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		syscalls: [.syscalls[] | select((.includes.caps // []) | length == 0)
			| select((.includes.arches // ["amd64"]) | index("amd64"))
			| select((.excludes.arches // []) | index("amd64") | not)
			| {names, action, args: (.args // []), errnoRet} | with_entries(select(.value != null))]}' \
		/usr/share/containers/seccomp.json
}

test_spec_seccomp_denies_with_the_profile_errno() {
	spec_bundle "$T/b" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
		{"names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]}'
	mkdir -p "$T/b/rootfs/tmp/y"
	local out
	out=$(run_in "$T/b" sh -c 'mkdir /tmp/x; rmdir /tmp/y; ls -d /tmp/y; echo still-running' 2>&1)
	grep -q "mkdir: can't create directory '/tmp/x': Function not implemented" <<< "$out" ||
		fail "mkdir: $out"
	grep -q "rmdir: '/tmp/y': Operation not permitted" <<< "$out" || fail "rmdir (EPERM by default): $out"
	grep -qx still-running <<< "$out" || fail "other syscalls: $out"
	[ ! -d "$T/b/rootfs/tmp/x" ] || fail "the directory was created"
	# the same with no_new_privs, where the filter goes on last
	jq '.process.noNewPrivileges = true' "$T/b/config.json" > "$T/c" && mv "$T/c" "$T/b/config.json"
	out=$(run_in "$T/b" mkdir /tmp/x 2>&1) && fail "mkdir worked with no_new_privs"
	grep -q "Function not implemented" <<< "$out" || fail "mkdir with no_new_privs: $out"
}

test_spec_seccomp_podman_default_profile() {
	[ -r /usr/share/containers/seccomp.json ] || skip "no /usr/share/containers/seccomp.json"
	podman_profile > "$T/profile.json" || fail "converting the podman profile"
	spec_bundle "$T/b" '.linux.seccomp = $p[0] | .process.noNewPrivileges = true' \
		--slurpfile p "$T/profile.json"
	local out
	out=$(run_in "$T/b" sh -c 'ls /bin/sh && echo hello | cat && mkdir /tmp/ok && echo ok') ||
		fail "a normal command failed under the default profile: $out"
	[ "$out" = $'/bin/sh\nhello\nok' ] || fail "output: $out"
	# what the profile denies a container without CAP_SYS_ADMIN (sethostname)
	# fails with the profile's errno (EPERM), though guest root has the capability
	run_in "$T/b" hostname other 2> "$T/err" && fail "sethostname allowed by the default profile"
	grep -q "Operation not permitted" "$T/err" || fail "hostname: $(cat "$T/err")"
}

test_spec_seccomp_notify_is_refused() {
	spec_bundle "$T/b" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	run_in "$T/b" true 2> "$T/err" && fail "NOTIFY accepted"
	grep -q 'config.json: linux.seccomp.syscalls\[0\].action: SCMP_ACT_NOTIFY is not supported' "$T/err" ||
		fail "error: $(cat "$T/err")"
}

test_spec_pids_limit_stops_forks() {
	spec_bundle "$T/b" '.linux.resources.pids.limit = 20'
	local out rc
	# each background sleep is one more pid; the shell itself is one
	out=$(run_in "$T/b" sh -c 'for i in $(seq 50); do sleep 1000 > /dev/null 2>&1 & echo $i; done' 2> "$T/err")
	rc=$?
	[ "$rc" -ne 0 ] || fail "50 forks worked under pids.limit 20"
	grep -q "can't fork" "$T/err" || fail "stderr: $(cat "$T/err")"
	[ "$(tail -n 1 <<< "$out")" -lt 20 ] && [ "$(tail -n 1 <<< "$out")" -ge 15 ] ||
		fail "forks before the limit: $(tail -n 1 <<< "$out")"
	# without the limit all 50 start
	spec_bundle "$T/c" 'del(.linux.resources)'
	out=$(run_in "$T/c" sh -c 'for i in $(seq 50); do sleep 1000 > /dev/null 2>&1 & echo $i; done') ||
		fail "without a limit: exit $?"
	[ "$(tail -n 1 <<< "$out")" = 50 ] || fail "without a limit: $(tail -n 1 <<< "$out")"
}

meminfo_kb() { awk '/^MemTotal/ {print $2}'; }

test_spec_memory_limit_sets_guest_memory() {
	local def big small
	spec_bundle "$T/d" 'del(.linux.resources)'
	def=$(run_in "$T/d" cat /proc/meminfo | meminfo_kb) || fail "default: exit $?"
	spec_bundle "$T/b" '.linux.resources.memory.limit = 134217728'
	big=$(run_in "$T/b" cat /proc/meminfo | meminfo_kb) || fail "128 MiB: exit $?"
	spec_bundle "$T/c" '.linux.resources.memory.limit = 1048576'
	small=$(run_in "$T/c" cat /proc/meminfo | meminfo_kb) || fail "1 MiB (raised to 32): exit $?"
	[ "$big" -gt "$def" ] && [ "$big" -le 131072 ] && [ "$big" -gt 100000 ] ||
		fail "128 MiB guest has MemTotal $big kB (default $def kB)"
	[ "$small" -lt "$def" ] && [ "$small" -le 32768 ] ||
		fail "a 1 MiB limit should give the 32 MiB minimum, MemTotal $small kB"
}

test_spec_vm_kernel_parameters() {
	spec_bundle "$T/b" '.vm.kernel = {"path": env.UMLRUN_KERNEL, "parameters": ["loglevel=3", "umlrun_test.x=42"]}'
	local out
	out=$(run_in "$T/b" cat /proc/cmdline) || fail "exit $?"
	[[ " $out " == *" loglevel=3 umlrun_test.x=42 "* ]] || fail "cmdline: $out"
	spec_bundle "$T/c" '.vm.kernel = {"path": env.UMLRUN_KERNEL, "parameters": ["quiet", "con0=fd:0,fd:1"]}'
	run_in "$T/c" true 2> "$T/err" && fail "con0= accepted"
	grep -q 'config.json: vm.kernel.parameters\[1\]: "con0=fd:0,fd:1": not allowed' "$T/err" ||
		fail "error: $(cat "$T/err")"
}

test_spec_vm_kernel_initrd_is_refused() {
	spec_bundle "$T/b" '.vm.kernel = {"path": env.UMLRUN_KERNEL, "initrd": "initrd.img"}'
	run_in "$T/b" true 2> "$T/err" && fail "vm.kernel.initrd accepted"
	grep -qx "umlrun: config.json: vm.kernel.initrd: a custom initrd is not supported: umlrun's agent is the initrd" \
		"$T/err" || fail "error: $(cat "$T/err")"
}

test_spec_exec_process_gets_limits_caps_and_seccomp() {
	spec_bundle "$T/b" '.process.args = ["sh", "-c", "echo started; exec sleep 1000"] |
		.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 777, "hard": 888}] |
		.process.oomScoreAdj = 123 | .process.noNewPrivileges = true |
		.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]} |
		.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
			{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
	"${UML[@]}" create --bundle "$T/b" sx > "$T/sx.out" 2> "$T/sx.err" < /dev/null ||
		fail "create: $(cat "$T/sx.err")"
	"${UML[@]}" start sx || fail "start"
	local out
	out=$("${UML[@]}" exec sx sh -c 'ulimit -n; cat /proc/self/oom_score_adj; grep -E "^(CapBnd|NoNewPrivs)" /proc/self/status; mkdir /tmp/e 2>&1')
	"${UML[@]}" delete -f sx || fail "delete"
	[ "$(sed -n 1,2p <<< "$out")" = $'777\n123' ] || fail "exec rlimit/oom: $out"
	grep -q "^CapBnd:	$(cap_mask CAP_KILL)" <<< "$out" || fail "exec caps: $out"
	grep -q "^NoNewPrivs:	1" <<< "$out" || fail "exec nnp: $out"
	grep -q "Function not implemented" <<< "$out" || fail "exec seccomp: $out"
}

# real_bundle DIR CORPUS_NAME ARGS_JSON: a bundle with the busybox rootfs and
# a config that runc, crun or podman wrote (tests/fuzz/corpus/spec), as is
# but for root.path, process.args, hooks and terminal.
real_bundle() {
	mkdir -p "$1"
	cp -a "$UMLRUN_BUNDLE/rootfs" "$1/rootfs"
	# (bind mounts name host paths of the machine the config came from:
	# dropped; tests/integration/binds.sh covers them)
	jq --argjson args "$3" '.root = {"path": "rootfs", "readonly": false} | .process.args = $args |
		.process.terminal = false | del(.hooks) |
		.mounts |= map(select(.type != "bind" and
			((.options // []) | (index("bind") == null and index("rbind") == null))))' \
		"$UMLRUN_SRCDIR/tests/fuzz/corpus/spec/$2.json" > "$1/config.json" || fail "jq $2"
}

test_spec_runc_crun_and_podman_configs_run() {
	local f out
	for f in runc-default crun-default podman-default podman-options; do
		real_bundle "$T/$f" "$f" '["sh", "-c", "grep ^NoNewPrivs /proc/self/status; echo ok"]'
		out=$(run_in "$T/$f" 2>&1) || fail "$f: exit $?: $out"
		[[ $out == *ok ]] || fail "$f: $out"
		[[ $f != podman-* || $out == *"NoNewPrivs:	"[01]* ]] || fail "$f: $out"
	done
}
