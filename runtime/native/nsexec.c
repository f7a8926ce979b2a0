/*
 * nsexec: the single-threaded namespace stage of rdmarun.
 *
 * A NativeAOT process already runs a finalizer thread when Main starts, and the kernel refuses
 * unshare(CLONE_NEWUSER), setns() into a user namespace and unshare(CLONE_NEWNS) in a process
 * whose fs_struct is shared by several threads. So this constructor runs before the .NET
 * runtime starts, in the re-executed `rdmarun init` (stage 1), joins and creates the
 * namespaces, forks the container's init (stage 2) and exits. Stage 2 returns from the
 * constructor and the runtime starts inside the new namespaces.
 *
 * The protocol with the parent is documented in runtime/native/PROTOCOL.md. Every frame is a
 * 4-byte little-endian length followed by that many bytes of text.
 *
 * Only async-signal-safe-ish libc is used (no stdio), and nothing is allocated that must
 * outlive the constructor: stage 2 hands over to managed code with a clean heap.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nsexec.h"
#include "launch_fast.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

#define MAX_FRAME (1 << 20)
#define MAX_JOINS 16

static int g_sock = -1;

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_frame(const char *text, size_t len)
{
	unsigned char hdr[4] = { len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, (len >> 24) & 0xff };
	if (write_all(g_sock, hdr, 4) < 0)
		return -1;
	return write_all(g_sock, text, len);
}

static void sendf(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	send_frame(buf, (size_t)n);
}

/* Report a failure to the parent as "error <errno> <message>" and stop this stage. */
static void __attribute__((noreturn)) bail(int err, const char *fmt, ...)
{
	char msg[3072];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sendf("error %d %s", err, msg);
	_exit(1);
}

/* Receive one frame into a malloc'ed, NUL-terminated buffer. */
static char *recv_frame(void)
{
	unsigned char hdr[4];
	if (read_all(g_sock, hdr, 4) < 0)
		_exit(1); /* the parent is gone: nobody to report to */
	uint32_t len = hdr[0] | (hdr[1] << 8) | (hdr[2] << 16) | ((uint32_t)hdr[3] << 24);
	if (len > MAX_FRAME)
		bail(EINVAL, "nsexec: bootstrap frame of %u bytes is too large", len);
	char *buf = malloc(len + 1);
	if (!buf)
		bail(ENOMEM, "nsexec: cannot allocate %u bytes", len);
	if (read_all(g_sock, buf, len) < 0)
		_exit(1);
	buf[len] = '\0';
	return buf;
}

struct join {
	int nstype;
	char *path;
	int fd;
};

struct bootstrap {
	unsigned long clone_flags;
	struct join joins[MAX_JOINS];
	int njoins;
	char timens[512];
	size_t timens_len;
	int has_oom;
	int oom_score_adj;
	int wait_for_map;
};

static int nstype_from_name(const char *name)
{
	if (!strcmp(name, "user")) return CLONE_NEWUSER;
	if (!strcmp(name, "mnt")) return CLONE_NEWNS;
	if (!strcmp(name, "pid")) return CLONE_NEWPID;
	if (!strcmp(name, "net")) return CLONE_NEWNET;
	if (!strcmp(name, "ipc")) return CLONE_NEWIPC;
	if (!strcmp(name, "uts")) return CLONE_NEWUTS;
	if (!strcmp(name, "cgroup")) return CLONE_NEWCGROUP;
	if (!strcmp(name, "time")) return CLONE_NEWTIME;
	return 0;
}

/* Parse "key value..." lines; see PROTOCOL.md for the keys. */
static void parse_bootstrap(char *text, struct bootstrap *b)
{
	memset(b, 0, sizeof(*b));
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		char *val = sp ? sp + 1 : "";
		if (sp)
			*sp = '\0';
		if (!strcmp(line, "clone")) {
			b->clone_flags = strtoul(val, NULL, 10);
		} else if (!strcmp(line, "join")) {
			char *path = strchr(val, ' ');
			if (!path)
				bail(EINVAL, "nsexec: malformed join line");
			*path++ = '\0';
			int t = nstype_from_name(val);
			if (!t)
				bail(EINVAL, "nsexec: unknown namespace type %s", val);
			if (b->njoins == MAX_JOINS)
				bail(EINVAL, "nsexec: too many namespaces to join");
			b->joins[b->njoins].nstype = t;
			b->joins[b->njoins].path = path;
			b->joins[b->njoins].fd = -1;
			b->njoins++;
		} else if (!strcmp(line, "timens")) {
			size_t n = strlen(val);
			if (b->timens_len + n + 2 > sizeof(b->timens))
				bail(EINVAL, "nsexec: too many time offsets");
			memcpy(b->timens + b->timens_len, val, n);
			b->timens_len += n;
			b->timens[b->timens_len++] = '\n';
		} else if (!strcmp(line, "oom")) {
			b->has_oom = 1;
			b->oom_score_adj = atoi(val);
		} else if (!strcmp(line, "mapwait")) {
			b->wait_for_map = 1;
		} else {
			bail(EINVAL, "nsexec: unknown bootstrap key %s", line);
		}
	}
}

static const char *nsname(int t)
{
	switch (t) {
	case CLONE_NEWUSER: return "user";
	case CLONE_NEWNS: return "mnt";
	case CLONE_NEWPID: return "pid";
	case CLONE_NEWNET: return "net";
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWCGROUP: return "cgroup";
	case CLONE_NEWTIME: return "time";
	}
	return "?";
}

static void write_proc_self(const char *file, const char *data, size_t len)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		bail(errno, "nsexec: open %s", file);
	/* Only ever write to the real procfs, never to a file a mount put in its place (CVE-2019-16884 class). */
	struct statfs sfs;
	if (fstatfs(fd, &sfs) < 0)
		bail(errno, "nsexec: fstatfs %s", file);
	if (sfs.f_type != PROC_SUPER_MAGIC)
		bail(EXDEV, "nsexec: %s is not on procfs, refusing to write to it", file);
	if (write_all(fd, data, len) < 0)
		bail(errno, "nsexec: write %s", file);
	close(fd);
}

static void become_root(void)
{
	/*
	 * gid before uid: once the uid is not 0 we could no longer change the gid. EINVAL means 0
	 * is not mapped (a rootless `launch` maps the caller's ids onto themselves): we keep our
	 * ids, and the capabilities unshare() gave us in the new namespace still do the set-up.
	 */
	if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
		bail(errno, "nsexec: setresgid(0) in the user namespace");
	if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
		bail(errno, "nsexec: setresuid(0) in the user namespace");
	/* EPERM when setgroups is denied (rootless): the supplementary groups then stay as mapped. */
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		bail(errno, "nsexec: setgroups in the user namespace");
}

static void join_namespaces(struct bootstrap *b)
{
	/* Open every path first: after joining the mount namespace the paths would resolve in it. */
	for (int i = 0; i < b->njoins; i++) {
		b->joins[i].fd = open(b->joins[i].path, O_RDONLY | O_CLOEXEC);
		if (b->joins[i].fd < 0) {
			/* The init is non-dumpable until its execve: its owner cannot open its ns files yet. */
			if (errno == EACCES && geteuid() != 0)
				bail(errno, "nsexec: open %s namespace %s: the container's init has not exec'd its process yet (start the container first)",
				     nsname(b->joins[i].nstype), b->joins[i].path);
			bail(errno, "nsexec: open %s namespace %s", nsname(b->joins[i].nstype), b->joins[i].path);
		}
	}
	/*
	 * The user namespace first: the other namespaces of a container are owned by it and
	 * setns() into them needs CAP_SYS_ADMIN there. The mount namespace last, since setns()
	 * into it changes our root and working directory.
	 */
	static const int order[] = { CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWPID,
				     CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWNS };
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
		for (int i = 0; i < b->njoins; i++) {
			if (b->joins[i].nstype != order[o])
				continue;
			if (setns(b->joins[i].fd, b->joins[i].nstype) < 0)
				bail(errno, "nsexec: join %s namespace %s", nsname(b->joins[i].nstype), b->joins[i].path);
			close(b->joins[i].fd);
			b->joins[i].fd = -1;
			if (b->joins[i].nstype == CLONE_NEWUSER)
				become_root();
		}
	}
}

static void run_stage1(void)
{
	struct bootstrap b;
	char *text = recv_frame();
	parse_bootstrap(text, &b);

	prctl(PR_SET_NAME, (unsigned long)"rdmarun:[1:CHILD]", 0, 0, 0);

	/* Lowering oom_score_adj needs CAP_SYS_RESOURCE in the initial user namespace: do it first. */
	if (b.has_oom) {
		char v[32];
		int n = snprintf(v, sizeof(v), "%d", b.oom_score_adj);
		write_proc_self("/proc/self/oom_score_adj", v, (size_t)n);
	}

	/*
	 * Non-dumpable from here until the user process's execve resets it (stage 2 inherits it
	 * through fork): while we hold the init socket, the state dir's fifo, host fds and the
	 * environment, neither the container's processes nor the host user owning a rootless
	 * container may read /proc/<init>/{environ,fd,mem} or ptrace us (runc does the same).
	 * After oom_score_adj: a rootless caller may only write that file while it owns it.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		bail(errno, "nsexec: set non-dumpable");

	join_namespaces(&b);

	if (b.clone_flags & CLONE_NEWUSER) {
		if (unshare(CLONE_NEWUSER) < 0)
			bail(errno, "nsexec: unshare user namespace");
		if (b.wait_for_map) {
			/*
			 * Only the parent, in the parent user namespace, may write our uid_map/gid_map. A
			 * rootless parent opens them as their owner, which a non-dumpable process is not
			 * (its /proc files belong to root): dumpable only while the parent writes them.
			 */
			if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
				bail(errno, "nsexec: set dumpable for the id maps");
			sendf("mapme");
			char *reply = recv_frame();
			if (strcmp(reply, "mapped") != 0)
				bail(EINVAL, "nsexec: parent did not map the user namespace: %s", reply);
			free(reply);
			if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
				bail(errno, "nsexec: set non-dumpable again");
		}
		become_root();
	}

	unsigned long rest = b.clone_flags & ~(unsigned long)CLONE_NEWUSER;
	if (rest && unshare((int)rest) < 0)
		bail(errno, "nsexec: unshare namespaces 0x%lx", rest);

	/* Offsets can only be written before any process lives in the new time namespace. */
	if ((rest & CLONE_NEWTIME) && b.timens_len > 0)
		write_proc_self("/proc/self/timens_offsets", b.timens, b.timens_len);

	/* A new pid (and time) namespace applies to children only: the init is our child. */
	pid_t pid = fork();
	if (pid < 0)
		bail(errno, "nsexec: fork the container init");
	if (pid == 0) {
		prctl(PR_SET_NAME, (unsigned long)"rdmarun:[2:INIT]", 0, 0, 0);
		free(text);
		rdmarun_prefault_image();
		return; /* stage 2: the .NET runtime starts now, inside the namespaces */
	}
	sendf("pid %d", pid);
	_exit(0);
}

__attribute__((constructor)) static void rdmarun_nsexec(int argc, char **argv, char **envp)
{
	const char *sock = getenv(RDMARUN_INITSOCK_ENV);
	if (!sock) {
		/* A warm `launch` rank never starts .NET: before the prefault, which only .NET needs. */
		rdmarun_state_fast(argc, argv);
		rdmarun_launch_fast(argc, argv, envp);
		rdmarun_prefault_image();
		return; /* an ordinary CLI invocation */
	}
	g_sock = atoi(sock);
	/* The container's process must never inherit the init socket, whatever managed code does. */
	if (fcntl(g_sock, F_SETFD, FD_CLOEXEC) < 0)
		_exit(1);
	run_stage1();
}

int rdmarun_nsexec_ran(void)
{
	return g_sock >= 0;
}
