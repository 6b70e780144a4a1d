#!/usr/bin/env python3
"""pty_compare.py - compare a program's run on a terminal, native and lstar.

usage: pty_compare.py LSTAR PROGRAM [ARGS...]

Runs PROGRAM natively and then `LSTAR run PROGRAM` with a fresh
pseudo-terminal (24x80) as controlling terminal and standard streams, each
time as the leader of a new session (as a terminal emulator starts a
shell), and passes when both print the same and exit the same way.  The
terminal's output is compared after turning its CR LF into LF.
"""
import errno
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time

TIMEOUT = 60.0


def run_on_pty(argv):
    pid, master = pty.fork()
    if pid == 0:  # the terminal's size is set before the program runs
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    out = b""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if not r:
            continue
        try:
            data = os.read(master, 4096)
        except OSError as e:
            if e.errno == errno.EIO:
                break
            raise
        if not data:
            break
        out += data
    else:
        os.kill(pid, 9)
    _, st = os.waitpid(pid, 0)
    os.close(master)
    return out.replace(b"\r\n", b"\n"), os.waitstatus_to_exitcode(st)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    lstar = os.path.abspath(sys.argv[1])
    prog = sys.argv[2:]
    nout, nst = run_on_pty(prog)
    lout, lst = run_on_pty([lstar, "run"] + prog)
    if nout == lout and nst == lst:
        print(f"ok: status {lst}, {len(lout)} bytes of identical terminal output")
        return 0
    print(f"MISMATCH for: {' '.join(prog)}")
    print(f"exit status: native {nst}, lstar {lst}")
    nl, ll = nout.decode(errors="replace").splitlines(), lout.decode(errors="replace").splitlines()
    import difflib
    for line in list(difflib.unified_diff(nl, ll, "native", "lstar", lineterm=""))[:60]:
        print(line)
    return 1


if __name__ == "__main__":
    sys.exit(main())
