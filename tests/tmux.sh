# tests/tmux.sh: a real terminal for the tests of interactive sessions
# (integration/console.sh, integration/clients.sh): one private tmux server
# per test ($T/tmux.sock) with an 80x24 session "con" running a plain bash;
# send-keys types, capture-pane reads. CON_TRIES sets how many tenths of a
# second the waits poll (default 300).

TM() { tmux -S "$T/tmux.sock" "$@"; }

# con_start: a detached 80x24 session "con" running a plain bash.
con_start() {
	command -v tmux > /dev/null || skip "tmux is not installed"
	TM -f /dev/null new-session -d -s con -x 80 -y 24 \
		"env PS1='host\$ ' bash --norc --noprofile -i" || fail "tmux new-session"
	TM set-option -g history-limit 10000 > /dev/null
	TM set-option -g window-size manual > /dev/null 2>&1
	# ends the server even when an assertion fails (fail exits)
	trap con_end EXIT
	con_wait 'host\$' || fail "no host shell prompt in tmux"
}

con_end() { TM kill-server 2> /dev/null; return 0; }

# con_pane: the whole pane, scrollback included, wrapped lines joined.
con_pane() { TM capture-pane -p -J -S - -t con; }

# con_type TEXT: types TEXT literally, then Enter.
con_type() { TM send-keys -t con -l -- "$1" && TM send-keys -t con Enter; }

# con_wait ERE [TRIES]: polls the pane (0.1 s apart, default $CON_TRIES)
# until a line matches ERE.
con_wait() {
	local i
	for i in $(seq "${2:-${CON_TRIES:-300}}"); do
		con_pane | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# con_expect ERE WHAT: con_wait, or fail with the pane.
con_expect() {
	con_wait "$1" || fail "$2; the pane:"$'\n'"$(con_pane | grep -v '^$' | tail -n 25)"
}

# con_last: the last non-empty line of the visible pane (where the cursor is).
con_last() { TM capture-pane -p -t con | grep -v '^[[:space:]]*$' | tail -n 1; }

# con_at_prompt: waits ($CON_TRIES tenths of a second) until the cursor line
# is a busybox prompt.
con_at_prompt() {
	local i
	for i in $(seq "${CON_TRIES:-300}"); do
		[[ $(con_last) =~ ^/\ \#$ ]] && return 0
		sleep 0.1
	done
	fail "no guest prompt; the pane:"$'\n'"$(con_pane | grep -v '^$' | tail -n 25)"
}

# con_resize_and_check COLS ROWS: resizes the tmux window; `stty size` in
# the guest follows (retried: the resize and the typed line race).
con_resize_and_check() {
	local cols=$1 rows=$2 i
	TM resize-window -t con -x "$cols" -y "$rows" || fail "tmux resize-window"
	for i in $(seq 50); do
		[ "$(TM display -p -t con '#{pane_width}x#{pane_height}')" = "${cols}x$rows" ] && break
		sleep 0.1
	done
	for i in $(seq 10); do
		con_at_prompt
		con_type "echo size$i-\$(stty size | tr ' ' x)"
		con_wait "^size$i-${rows}x$cols\$" 20 && return 0
	done
	fail "stty size in the guest did not become $rows $cols; the pane:"$'\n'"$(con_pane | grep -v '^$' | tail -n 15)"
}
