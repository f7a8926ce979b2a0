#!/usr/bin/python3
"""pty-run.py CMD [ARG...]: runs CMD on a new pseudo-terminal (its controlling tty, as a user's
shell gives `docker run -it`), copies our stdin to it and everything it prints to our stdout,
and exits with CMD's status (128+N when killed by signal N).

Why not script(1): after its child exits, script stops reading the pty master when 10 ms pass
without data. The client's last write sits in the kernel's pty flip buffer until a kworker moves
it, which under load takes longer, so `podman run -it ... tty` lost its whole output about once
in 50 runs. Here the master is read until EIO, which the kernel returns only after every slave
fd is closed and all queued output has been read.
"""
import os
import pty
import select
import sys
import time

# A process that inherited the slave and outlives CMD would keep the master open forever: after
# CMD exits, stop once the pty has been quiet this long (and say so).
QUIET_AFTER_EXIT = 10.0


def write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: pty-run.py CMD [ARG...]\n")
        return 2
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(sys.argv[1], sys.argv[1:])
        except OSError as e:
            sys.stderr.write("pty-run: %s: %s\n" % (sys.argv[1], e.strerror))
        os._exit(127)
    stdin = sys.stdin.fileno()
    watched = [master, stdin]
    status = None
    quiet_since = None
    while True:
        if status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
        # A bounded wait: CMD's exit is noticed by polling waitpid.
        ready, _, _ = select.select(watched, [], [], 0.5)
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every slave fd closed and the queue drained
                data = b""
            if not data:
                break
            write_all(1, data)
            quiet_since = None
        elif status is not None:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > QUIET_AFTER_EXIT:
                sys.stderr.write("pty-run: the pty stayed open %d s after %s exited; stopped reading\n"
                                 % (QUIET_AFTER_EXIT, sys.argv[1]))
                break
        if stdin in ready:
            data = os.read(stdin, 65536)
            if data:
                write_all(master, data)
            else:
                watched.remove(stdin)
    if status is None:
        _, status = os.waitpid(pid, 0)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


sys.exit(main())
