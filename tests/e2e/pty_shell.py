#!/usr/bin/env python3
"""pty_shell.py - an interactive shell under lstar on a pseudo-terminal.

usage: pty_shell.py LSTAR SHELL [SHELL ARGS...]

Runs `LSTAR run SHELL ARGS` with a new pseudo-terminal as its controlling
terminal and standard streams (a session of its own, as a terminal
emulator would start it), waits for the prompt, types `echo $((6*7))`,
expects 42, asks `stty size` for the window size set on the terminal
(24 80), checks that the shell's line editor put the terminal in raw
mode (no ICANON: TCSETS reached the real terminal), then types Ctrl-D and
expects the shell to exit with status 0.  Exit status 77 (ctest: skipped)
when SHELL is not installed.  Set LSTAR_PTY_NATIVE=1 to run the shell
natively instead (to check the script's expectations).
"""
import errno
import fcntl
import os
import pty
import re
import select
import struct
import sys
import tempfile
import termios
import time

TIMEOUT = 30.0
PROMPT = b"lstar-pty$ "
STTY = os.environ.get("LSTAR_PTY_STTY", "/bin/busybox stty").encode()


class Fail(Exception):
    pass


def read_until(fd, buf, pattern, what):
    """Read from the master until `pattern` (bytes regex) matches buf."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        m = re.search(pattern, buf)
        if m:
            return buf[m.end():], m
        left = deadline - time.monotonic()
        if left <= 0:
            raise Fail(f"timed out waiting for {what}; got {bytes(buf)!r}")
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError as e:
            if e.errno == errno.EIO:  # the other side is closed
                raise Fail(f"terminal closed waiting for {what}; got {bytes(buf)!r}")
            raise
        if not data:
            raise Fail(f"end of file waiting for {what}; got {bytes(buf)!r}")
        buf += data


def drain_until_eof(fd):
    out = b""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError as e:
            if e.errno == errno.EIO:
                return out
            raise
        if not data:
            return out
        out += data
    raise Fail(f"the shell did not exit after Ctrl-D; got {out!r}")


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    lstar, shell, args = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if not os.path.exists(shell):
        print(f"SKIPPED: {shell} is not installed")
        return 77
    native = os.environ.get("LSTAR_PTY_NATIVE") == "1"
    argv = [shell] + args if native else [lstar, "run", shell] + args

    home = tempfile.mkdtemp(prefix="lstar-pty.")
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "TERM": "dumb",
           "PS1": PROMPT.decode(), "PROMPT": PROMPT.decode(), "LANG": "C"}
    pid, master = pty.fork()
    if pid == 0:  # the child: session leader, the pty as its terminal
        os.chdir(home)
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    status = None
    try:
        buf, _ = read_until(master, b"", re.escape(PROMPT), "the first prompt")
        # A line editor puts the terminal in raw mode while it reads.
        lflag = termios.tcgetattr(master)[3]
        raw = not (lflag & termios.ICANON)
        print(f"prompt seen; terminal {'raw' if raw else 'canonical'} while reading")
        if not raw:
            raise Fail("the shell's terminal settings did not reach the terminal "
                       "(ICANON still on at the prompt)")

        os.write(master, b"echo $((6*7))\r")
        buf, _ = read_until(master, buf, rb"\r\n42\r\n", "42")
        buf, _ = read_until(master, buf, re.escape(PROMPT), "the second prompt")
        print("echo $((6*7)) -> 42")

        # A pipeline of two programs: the shell puts them in one process
        # group and gives it the terminal (setpgid, tcsetpgrp), which must
        # work although the first has ended when the second starts.
        bb = STTY.split()[0]
        if os.path.exists(bb):
            os.write(master, bb + b" echo abc | " + bb + b" tr a-c x-z\r")
            buf, m1 = read_until(master, buf, rb"\r\nxyz\r\n", "xyz from the pipeline")
            buf, m2 = read_until(master, buf, re.escape(PROMPT), "the prompt after the pipeline")
            said = m1.string[:m1.end()] + m2.string[:m2.end()]
            print("pipeline -> xyz")
            bad = re.search(rb"(?i)setpgid|process group|not permitted|no such process", said)
            if bad:
                raise Fail(f"the shell complained about job control: {said!r}")

        if not os.path.exists(STTY.split()[0]):
            print(f"stty size: skipped ({STTY.split()[0].decode()} is missing)")
            os.write(master, b"\x04")
            drain_until_eof(master)
            _, st = os.waitpid(pid, 0)
            status = os.waitstatus_to_exitcode(st)
            print(f"Ctrl-D: the shell exited with status {status}")
            return 0 if status == 0 else 1
        os.write(master, STTY + b" size\r")
        buf, m = read_until(master, buf, rb"\r\n(\d+ \d+)\r\n", "stty size")
        size = m.group(1).decode()
        buf, _ = read_until(master, buf, re.escape(PROMPT), "the third prompt")
        print(f"stty size -> {size}")
        if size != "24 80":
            raise Fail(f"stty size said {size}, the terminal is 24 80")

        os.write(master, b"\x04")
        drain_until_eof(master)
        _, st = os.waitpid(pid, 0)
        status = os.waitstatus_to_exitcode(st)
        print(f"Ctrl-D: the shell exited with status {status}")
        if status != 0:
            raise Fail(f"exit status {status} after Ctrl-D")
    except Fail as e:
        print(f"FAIL: {e}")
        if status is None:
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except OSError:
                pass
        return 1
    finally:
        os.close(master)
        for f in os.listdir(home):
            os.unlink(os.path.join(home, f))
        os.rmdir(home)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
