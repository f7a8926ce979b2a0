#!/usr/bin/env python3
"""phases.py TRACE: an `strace -f -tt` trace of `rdmarun run` cut into phases, plus the longest user-space gaps."""
import re, sys

SPAWN = re.compile(r"(clone3?|vfork|fork)\(")
LINE = re.compile(r"^(\d+)\s+(\d+):(\d+):(\d+\.\d+)\s+(.*)$")
# (label, pattern on the syscall text); the first match of each in the trace marks the phase start.
LANDMARKS = [
    ("read config.json (spec parse follows)", r'openat\(.*config\.json"'),
    ("state dir claimed", r'(mkdir|openat)\(.*"/tmp/[^"]*/state/rdmarun/'),
    ("cgroup dirs created", r'mkdir\("/sys/fs/cgroup/'),
    ("stage 1 spawned (rdmarun init exec)", r'execve\("/proc/self/exe"'),
    ("stage 2 cloned (namespaces)", r'clone3?\(.*CLONE_NEWNS|unshare\('),
    ("pid written to cgroup", r'write\(\d+, "\d+", \d+\)'),
    ("first mount", r'^mount\('),
    ("pivot_root", r'pivot_root\('),
    ("init opens exec.fifo to wait for start", r'openat\(AT_FDCWD, "/proc/self/fd/\d+", O_WRONLY'),
    ("start: fifo read", r'openat\(.*exec\.fifo".*O_RDONLY\|O_NONBLOCK'),
    ("execve user process", r'execve\("/bin/true"'),
    ("delete: cgroup rmdir", r'rmdir\("/sys/fs/cgroup/'),
]


def parse(path):
    out = []
    for raw in open(path):
        m = LINE.match(raw.rstrip("\n"))
        if m:
            pid, h, mi, s, text = m.groups()
            out.append((int(pid), int(h) * 3600 + int(mi) * 60 + float(s), text))
    return out


def main():
    ev = parse(sys.argv[1])
    t0, t_end = ev[0][1], ev[-1][1]
    pids = sorted({p for p, _, _ in ev})
    print(f"total {1000 * (t_end - t0):.1f} ms under strace, {len(ev)} syscalls, {len(pids)} processes")
    print(f"mounts: {sum(1 for _, _, t in ev if t.startswith('mount('))}, "
          f"cgroup file opens: {sum(1 for _, _, t in ev if 'openat' in t and '/sys/fs/cgroup/' in t)}, "
          f"execve: {sum(1 for _, _, t in ev if t.startswith('execve('))}, "
          f"mmap: {sum(1 for _, _, t in ev if t.startswith('mmap('))}, "
          f"threads/processes created: {sum(1 for _, _, t in ev if SPAWN.match(t))}")
    print()
    print("| ms from start | Δ ms | phase | pid |")
    print("|---|---|---|---|")
    prev = t0
    marks = []
    for label, pat in LANDMARKS:
        rx = re.compile(pat)
        hit = next(((p, t) for p, t, text in ev if rx.search(text)), None)
        if hit:
            marks.append((hit[1], label, hit[0]))
    user = next((p for p, _, text in ev if text.startswith('execve("/bin/true"')), None)
    gone = next((t for p, t, text in ev if p == user and "+++ exited" in text), None)
    if gone:
        marks.append((gone, "user process exited", user))
    for t, label, pid in sorted(marks):
        print(f"| {1000 * (t - t0):.1f} | {1000 * (t - prev):.1f} | {label} | {pid} |")
        prev = t
    print(f"| {1000 * (t_end - t0):.1f} | {1000 * (t_end - prev):.1f} | rdmarun exits | |")
    print()
    print("longest gaps between consecutive syscalls of one process (user-space work or blocking):")
    last, gaps = {}, []
    for p, t, text in ev:
        if p in last:
            gaps.append((t - last[p][0], p, last[p][1], text))
        last[p] = (t, text)
    for g, p, before, after in sorted(gaps, reverse=True)[:12]:
        print(f"  {1000 * g:6.1f} ms pid {p}: after {before[:70]}  →  {after[:70]}")


if __name__ == "__main__":
    main()
