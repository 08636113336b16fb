#!/usr/bin/env python3
"""console-receiver.py: the receiving end of the runc --console-socket
protocol, for tests/integration/console.sh.

Usage: console-receiver.py SOCKET OUT [SCRIPT]

Listens on the unix stream socket SOCKET (created here; "SOCKET.ready" is
created once it listens), accepts one connection and receives the pty
master sent with SCM_RIGHTS. It then checks that the fd is a pty master,
sets a window size, writes SCRIPT (default: "echo hi-from-$((1+1))\\n" and
"exit 6\\n") to it, and copies everything read from it to OUT until it has
seen "hi-from-2" and the terminal hangs up (EIO/EOF), or 60 s pass.
Exit code: 0 when hi-from-2 was seen, 1 otherwise (with a message).
"""
import array
import errno
import fcntl
import os
import select
import socket
import struct
import sys
import termios
import time

TIOCGPTN = getattr(termios, "TIOCGPTN", 0x80045430)  # _IOR('T', 0x30, unsigned int)


def recv_fd(conn):
    """The fd of the first SCM_RIGHTS message, and the name sent with it."""
    fds = array.array("i")
    msg, anc, _flags, _addr = conn.recvmsg(1024, socket.CMSG_SPACE(4 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    if not fds:
        sys.exit("console-receiver: no fd received (message %r)" % msg)
    for extra in fds[1:]:
        os.close(extra)
    return fds[0], msg.decode(errors="replace")


def main():
    path, out_path = sys.argv[1], sys.argv[2]
    script = (sys.argv[3] if len(sys.argv) > 3 else "echo hi-from-$((1+1))\nexit 6\n").encode()
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    open(path + ".ready", "w").close()
    srv.settimeout(60)
    conn, _ = srv.accept()
    master, name = recv_fd(conn)
    conn.close()
    srv.close()
    with open(out_path + ".name", "w") as f:
        f.write(name + "\n")
    # a pty master answers TIOCGPTN (its slave's number); anything else does not
    try:
        fcntl.ioctl(master, TIOCGPTN, b"\0\0\0\0")
    except OSError as e:
        sys.exit("console-receiver: the received fd is not a pty master: %s" % e)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 20, 60, 0, 0))
    os.write(master, script)
    got = b""
    deadline = time.monotonic() + 60
    with open(out_path, "wb") as out:
        while time.monotonic() < deadline:
            r, _, _ = select.select([master], [], [], 1)
            if not r:
                continue
            try:
                data = os.read(master, 4096)
            except OSError as e:
                if e.errno == errno.EIO:  # the last slave closed
                    break
                raise
            if not data:
                break
            got += data
            out.write(data)
            out.flush()
    os.close(master)
    if b"hi-from-2" not in got:
        sys.exit("console-receiver: no hi-from-2 in the output: %r" % got[-500:])


if __name__ == "__main__":
    main()
