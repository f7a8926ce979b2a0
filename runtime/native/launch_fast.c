/*
 * launch_fast: a `launch` rank joins a published template (LAUNCH_TEMPLATE.md) before the .NET
 * runtime starts: ~1 ms instead of a full create. This process becomes the rank's supervisor:
 * it owns the container's state dir and cgroups, forwards signals, and removes everything when
 * the rank ends, as `launch` does on the full path. Whatever goes wrong before the rank is
 * forked is undone and the call continues into .NET with the key to (re)publish.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launch_fast.h"
#include "nsexec.h"

static volatile pid_t g_rank;

/* One warm call: a `launch` rank (config NULL) or a `run` container (RUN_TEMPLATE.md). */
struct fast_call {
	const struct launch_args *a;
	const char *key;
	char **argv, **envp;          /* launch: the caller's (the program is argv + a->prog) */
	const struct run_config *config; /* run: the step's args and env */
	const char *bundle;           /* run: absolute */
	char *annotations;            /* run: the effective spec's, raw JSON (from the template's config.json) */
	int rootless;                 /* the caller's euid is not 0 */
};

static void forward(int sig)
{
	if (g_rank > 0)
		kill(g_rank, sig);
}

static char *read_file_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap + 1);
	ssize_t n;
	while (buf && (n = read(fd, buf + len, cap - len)) > 0) {
		len += (size_t)n;
		if (len == cap) { /* templates are small; refuse anything absurd */
			free(buf);
			buf = NULL;
		}
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* The effective spec beside state.json (later commands read it). Copied: `.launch` is its own
 * mount, so a hard link across to the state dir fails with EXDEV. */
static int copy_config(int dfd, const char *to)
{
	char *text = read_file_at(dfd, "config.json");
	if (!text)
		return -1;
	int fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t len = strlen(text);
	int rc = fd >= 0 && write(fd, text, len) == (ssize_t)len ? 0 : -1;
	if (fd >= 0)
		close(fd);
	free(text);
	return rc;
}

/* JSON string body (RFC 8259 escapes) into out; returns out. */
static char *json_str(char *out, size_t len, const char *s)
{
	size_t o = 0;
	for (; *s && o + 7 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\%c", c);
		else if (c < 0x20)
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

/* state.json as StateStore.Save writes it (ContainerRecord, camelCase): temp file + rename. */
/* The namespaces exec joins, as Create.NamespacePaths records them: spec name -> /proc/PID/ns/NAME. */
static void namespace_paths(FILE *f, pid_t pid, unsigned long newns)
{
	static const struct { unsigned long flag; const char *spec, *proc; } ns[] = {
		{CLONE_NEWPID, "pid", "pid"}, {CLONE_NEWNET, "network", "net"}, {CLONE_NEWUSER, "user", "user"}, {CLONE_NEWIPC, "ipc", "ipc"},
		{CLONE_NEWUTS, "uts", "uts"}, {CLONE_NEWNS, "mount", "mnt"}, {CLONE_NEWCGROUP, "cgroup", "cgroup"},
	};
	int first = 1;
	fprintf(f, "\"namespacePaths\":{");
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
		if (newns & ns[i].flag) {
			fprintf(f, "%s\"%s\":\"/proc/%d/ns/%s\"", first ? "" : ",", ns[i].spec, pid, ns[i].proc);
			first = 0;
		}
	fprintf(f, "}");
}

static int write_state(const char *dir, const char *id, pid_t rank, const struct launch_template *t,
		       const char *key, char **cgdirs, const char *launcher, const struct fast_call *call)
{
	char path[4400], tmp[4400], a[8192], b[8192], when[64];
	unsigned long long start = launch_proc_starttime(rank);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct tm tm;
	gmtime_r(&now.tv_sec, &tm);
	size_t w = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + w, sizeof when - w, ".%07ldZ", now.tv_nsec / 100);
	snprintf(tmp, sizeof tmp, "%s/state.json.tmp", dir);
	snprintf(path, sizeof path, "%s/state.json", dir);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -1;
	fprintf(f, "{\"id\":\"%s\",\"initPid\":%d,\"initStartTime\":%llu,", id, rank, start);
	if (call->config) { /* run: as Create records it (the effective spec's annotations are the template's) */
		fprintf(f, "\"bundle\":\"%s\",\"rootfs\":\"%s\",\"created\":\"%s\",\"owner\":\"\",",
			json_str(a, sizeof a, call->bundle), json_str(b, sizeof b, t->rootfspath), when);
		if (call->annotations)
			fprintf(f, "\"annotations\":%s,", call->annotations);
	} else {
		fprintf(f, "\"bundle\":\"%s\",\"rootfs\":\"%s\",\"created\":\"%s\",\"owner\":\"%s\",",
			json_str(a, sizeof a, t->bundle), json_str(b, sizeof b, t->rootfspath), when, getuid() == 0 ? "root" : "");
		fprintf(f, "\"annotations\":{\"org.rdmarun.launch.launcher\":\"%s\",\"org.rdmarun.launch.template\":\"%s\"},",
			launcher, key);
	}
	fprintf(f, "\"cgroupPaths\":{");
	for (int i = 0; i < t->ncg; i++)
		fprintf(f, "%s\"%s\":\"%s\"", i ? "," : "", json_str(a, sizeof a, t->cg_key[i]), json_str(b, sizeof b, cgdirs[i]));
	fprintf(f, "},");
	namespace_paths(f, rank, call->config ? t->newns : CLONE_NEWNS);
	fprintf(f, ",\"rootless\":%s,\"systemdCgroup\":false}", call->rootless ? "true" : "false");
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

static void remove_state(const char *dir)
{
	char p[4200];
	const char *files[] = {"state.json", "state.json.tmp", "config.json"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

/* Kills what the rank left in its cgroup (daemons it started) until each dir can go. */
static void remove_cgroups(char **dirs, int n)
{
	for (int i = 0; i < n; i++) {
		if (!dirs[i])
			continue;
		for (int tries = 0; rmdir(dirs[i]) < 0 && errno == EBUSY && tries < 2000; tries++) {
			char procs[4200], buf[4096];
			snprintf(procs, sizeof procs, "%s/cgroup.procs", dirs[i]);
			int fd = open(procs, O_RDONLY | O_CLOEXEC);
			ssize_t len = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
			if (fd >= 0)
				close(fd);
			for (char *p = len > 0 ? (buf[len] = '\0', buf) : NULL; p && *p;) {
				int pid = (int)strtol(p, &p, 10);
				if (pid > 0)
					kill(pid, SIGKILL);
				while (*p == '\n')
					p++;
			}
			struct timespec ms = {0, 1000000};
			nanosleep(&ms, NULL);
		}
	}
}

/* A v1 cpuset child starts with no cpus and mems, and no task may join it until they are set. */
static int inherit_cpuset(const char *parent, const char *child)
{
	const char *files[] = {"cpuset.cpus", "cpuset.mems"};
	char v2[4400];
	snprintf(v2, sizeof v2, "%s/cgroup.controllers", parent);
	if (access(v2, F_OK) == 0)
		return 0; /* cgroup v2: a child uses its parent's cpus and mems (and has no cpuset files unless enabled) */
	for (int i = 0; i < 2; i++) {
		char from[4400], to[4400], buf[4096];
		snprintf(from, sizeof from, "%s/%s", parent, files[i]);
		int in = open(from, O_RDONLY | O_CLOEXEC);
		if (in < 0)
			return errno == ENOENT ? 0 : -1; /* not a cpuset hierarchy */
		ssize_t n = read(in, buf, sizeof buf);
		close(in);
		snprintf(to, sizeof to, "%s/%s", child, files[i]);
		int out = open(to, O_WRONLY | O_CLOEXEC);
		if (n <= 0 || out < 0 || write(out, buf, (size_t)n) != n) {
			if (out >= 0)
				close(out);
			return -1;
		}
		close(out);
	}
	return 0;
}

/*
 * Registers the rank with the template's guard (template_guard.c): it holds our connection,
 * and when that closes with the state dir still there (we were SIGKILLed; the rank died with
 * us through its parent-death signal) it runs `delete --force` on the container. One
 * long-lived process per template instead of a forked guard per rank: on a paravirtualised
 * host a fork's page-table copy and copy-on-write faults cost more than the rank's whole start.
 */
static int register_with_guard(int dfd, const char *root, const char *policy, const char *id, const char *statedir)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char self[64];
	snprintf(self, sizeof self, "/proc/self/fd/%d/guard.sock", dfd); /* sun_path is short; the root may not be */
	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", self);
	char msg[8192];
	int len = snprintf(msg, sizeof msg, "%s%c%s%c%s%c%s", root, 0, policy, 0, id, 0, statedir);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || len >= (int)sizeof msg ||
	    send(fd, msg, (size_t)len + 1, MSG_NOSIGNAL) != len + 1) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* A rootless template's guard answers our registration with its user and mount namespaces. */
static int recv_namespaces(int guardfd, int *userfd, int *mntfd)
{
	char byte;
	struct iovec iov = {&byte, 1};
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	if (recvmsg(guardfd, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(2 * sizeof(int)))
		return -1;
	int fds[2];
	memcpy(fds, CMSG_DATA(c), sizeof fds);
	*userfd = fds[0];
	*mntfd = fds[1];
	return 0;
}

struct rank_args {
	const struct launch_template *t;
	int mntfd;
	char **cgprocs;
	char **argv, **envp;
	const struct run_step *step;
};

static int rank_main(void *p)
{
	struct rank_args *r = p;
	launch_exec_rank(r->t, r->mntfd, r->cgprocs, r->t->ncg, r->argv, r->envp, r->step);
}

/*
 * A detached copy of each of the container's cgroup dirs, for its /sys/fs/cgroup (run_mounts.c):
 * made here, in the host's mount namespace, because a bind from it cannot be made from inside.
 */
static int clone_cgroup_trees(const struct launch_template *t, char **cgdirs, struct run_step *step)
{
	int need = 0;
	for (int i = 0; i < 32; i++)
		step->cgfd[i] = -1;
	for (int i = 0; i < t->nrefresh; i++)
		need |= t->refresh[i].op == 'c';
	for (int i = 0; need && i < t->ncg; i++)
		if ((step->cgfd[i] = (int)syscall(SYS_open_tree, AT_FDCWD, cgdirs[i], 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC)) < 0)
			return -1;
	return 0;
}

static void close_cgroup_trees(struct run_step *step)
{
	for (int i = 0; i < 32; i++)
		if (step->cgfd[i] >= 0) {
			close(step->cgfd[i]);
			step->cgfd[i] = -1;
		}
}

static int open_template(const char *root, const char *key, int want_run, struct launch_template *t, int *inuse, int *mntfd,
			 int *dfd)
{
	char dir[4200];
	if (snprintf(dir, sizeof dir, "%s/.launch/%s", root, key) >= (int)sizeof dir)
		return -1;
	*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dfd < 0)
		return -1;
	/* Shared lock first, then check the dir is still published: the guard renames it away
	 * while holding the exclusive lock, so after this check it cannot expire under us. */
	*inuse = openat(*dfd, "inuse", O_RDWR | O_CLOEXEC);
	if (*inuse < 0 || flock(*inuse, LOCK_SH | LOCK_NB) < 0)
		return -1;
	struct stat a, b;
	if (stat(dir, &a) < 0 || fstat(*dfd, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev || b.st_uid != geteuid() ||
	    (b.st_mode & 022))
		return -1;
	char *text = read_file_at(*dfd, "template");
	if (!text || launch_template_parse(text, t) < 0 || t->run != want_run)
		return -1;
	unsigned long long gs = launch_proc_starttime(t->guard_pid);
	if (gs == 0 || gs != t->guard_start)
		return -1; /* no guard would ever expire it: let .NET replace it */
	if (stat(t->rootfspath, &a) < 0 || a.st_dev != t->rootfs_dev || a.st_ino != t->rootfs_ino)
		return -1; /* the rootfs was replaced since the template was built */
	/* Rootless: no `mnt`; the guard hands out the namespaces when we register (recv_namespaces). */
	*mntfd = t->userns ? -1 : openat(*dfd, "mnt", O_RDONLY | O_CLOEXEC);
	if (*mntfd < 0 && !t->userns)
		return -1;
	futimens(*inuse, NULL); /* "used now": the guard counts idle time from here */
	return 0;
}

static void close_all(int a, int b, int c)
{
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	if (c >= 0)
		close(c);
}

/* path made absolute against the cwd. */
static int absolute(const char *path, char *out, size_t len)
{
	char cwd[4096];
	if (path[0] == '/')
		return snprintf(out, len, "%s", path) < (int)len ? 0 : -1;
	if (!getcwd(cwd, sizeof cwd))
		return -1;
	return snprintf(out, len, "%s/%s", cwd, path) < (int)len ? 0 : -1;
}

static int run(struct fast_call *call)
{
	const struct launch_args *a = call->a;
	const char *key = call->key;
	/* The guard runs `delete --force` from / (template_guard.c): a relative --root or --rdma-policy
	 * would name other paths there, and a SIGKILLed supervisor's container would be left. */
	char root[4200], policy[4200];
	if (absolute(a->root, root, sizeof root) < 0 || absolute(a->policy, policy, sizeof policy) < 0)
		return -1;
	call->rootless = geteuid() != 0; /* before joining a user namespace, where we are its root */
	struct launch_template *t = calloc(1, sizeof *t);
	int inuse = -1, mntfd = -1, dfd = -1;
	if (!t || open_template(root, key, call->config != NULL, t, &inuse, &mntfd, &dfd) < 0) {
		close_all(inuse, mntfd, dfd);
		return -1;
	}
	char id[1100], statedir[4200], launcher[64] = "";
	if (call->config) {
		/* run: the effective spec's annotations for state.json, as the full path records them */
		char *text = read_file_at(dfd, "config.json");
		struct run_config tc;
		if (!text || run_config_scan(text, strlen(text), &tc) < 0) {
			free(text);
			close_all(inuse, mntfd, dfd);
			return -1;
		}
		free(text);
		call->annotations = tc.annotations;
		snprintf(id, sizeof id, "%s", a->id);
	} else {
		/* As DieWithParent: a SIGKILLed mpirun ends its ranks through us. */
		pid_t parent = getppid();
		if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() != parent)
			_exit(1);
		unsigned char rnd[3] = {0};
		if (getrandom(rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			memcpy(rnd, &ts.tv_nsec, sizeof rnd);
		}
		snprintf(id, sizeof id, "launch-%d-%02x%02x%02x", getpid(), rnd[0], rnd[1], rnd[2]);
		snprintf(launcher, sizeof launcher, "%d:%llu", getpid(), launch_proc_starttime(getpid()));
	}
	if (snprintf(statedir, sizeof statedir, "%s/%s", root, id) >= (int)sizeof statedir) {
		close_all(inuse, mntfd, dfd);
		return -1;
	}

	char *cgdirs[32] = {0}, *cgprocs[32] = {0};
	int ok = 1;
	for (int i = 0; i < t->ncg && ok; i++) {
		if (asprintf(&cgdirs[i], "%s/%s", t->cg_dir[i], id) < 0 || asprintf(&cgprocs[i], "%s/cgroup.procs", cgdirs[i]) < 0) {
			cgdirs[i] = NULL;
			ok = 0;
		} else if (mkdir(cgdirs[i], 0755) < 0) {
			free(cgdirs[i]);
			cgdirs[i] = NULL;
			ok = 0;
		} else if (inherit_cpuset(t->cg_dir[i], cgdirs[i]) < 0) {
			ok = 0;
		}
	}
	char cfg[4300];
	snprintf(cfg, sizeof cfg, "%s/config.json", statedir);
	/* An existing id fails here (EEXIST): .NET then says so, as for any run. */
	int have_dir = ok && mkdir(statedir, 0711) == 0;
	ok = have_dir && copy_config(dfd, cfg) == 0;
	static struct run_step step;
	for (int i = 0; i < 32; i++)
		step.cgfd[i] = -1; /* none yet: close_cgroup_trees below must not close fd 0 (stdin of the full path) */
	if (ok && call->config) {
		step.config = call->config;
		ok = clone_cgroup_trees(t, cgdirs, &step) == 0;
	}
	int guardfd = ok ? register_with_guard(dfd, root, policy, id, statedir) : -1;
	int userfd = -1;
	if (guardfd >= 0 && t->userns) {
		/* Rootless: into the template's user namespace first, so the namespaces we create below
		 * are owned by it and the child may join its mount namespace (RUN_TEMPLATE.md "Rootless").
		 * We are single-threaded (before .NET), as setns(CLONE_NEWUSER) requires. */
		if (recv_namespaces(guardfd, &userfd, &mntfd) < 0 || setns(userfd, CLONE_NEWUSER) < 0) {
			close(guardfd);
			guardfd = -1;
		}
	}
	if (userfd >= 0)
		close(userfd);
	pid_t rank = -1;
	if (guardfd >= 0) {
		static struct rank_args r;
		/* Static: a malloc'd stack this size is an mmap + munmap with a TLB flush per rank. */
		static char stack[1 << 18] __attribute__((aligned(16)));
		if (call->config) {
			/* run: the container's own PID (and UTS, IPC, network) namespaces. The kernel refuses
			 * CLONE_VM with a new PID namespace, so this is a fork; this process has not started
			 * .NET, so its page tables are small. */
			r = (struct rank_args){t, mntfd, cgprocs, call->config->args, call->envp, &step};
			unsigned long ns = t->newns & (CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET);
			rank = clone(rank_main, stack + sizeof stack, (int)ns | CLONE_VFORK | SIGCHLD, &r);
		} else {
			/* vfork semantics (shared memory, we wait until it execs): no page tables to copy. The
			 * child changes only per-task state (cgroup, mount ns, cwd, umask, caps, rlimits). */
			r = (struct rank_args){t, mntfd, cgprocs, call->argv + a->prog, call->envp, NULL};
			rank = clone(rank_main, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &r);
		}
	}
	close_cgroup_trees(&step);
	if (rank < 0) { /* undo, then the full path */
		if (have_dir)
			remove_state(statedir);
		remove_cgroups(cgdirs, t->ncg);
		close_all(guardfd, inuse, mntfd);
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	close(mntfd);
	close(dfd);
	g_rank = rank;
	struct sigaction sa = {.sa_handler = forward};
	sigemptyset(&sa.sa_mask);
	const int forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGCONT, SIGWINCH};
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaction(forwarded[i], &sa, NULL);
	if (write_state(statedir, id, rank, t, key, cgdirs, launcher, call) < 0)
		kill(rank, SIGKILL); /* a container nobody could see or delete must not run */
	int status = 0;
	while (waitpid(rank, &status, 0) < 0 && errno == EINTR)
		;
	g_rank = 0;
	remove_cgroups(cgdirs, t->ncg);
	remove_state(statedir);
	futimens(inuse, NULL); /* idle time counts from the last rank's end */
	if (WIFSIGNALED(status))
		_exit(128 + WTERMSIG(status));
	_exit(WEXITSTATUS(status));
}

/* config.json of the bundle, whole (a warm run reads its args and env, and hashes the rest). */
static char *read_config(const char *bundle, size_t *len)
{
	char path[4300];
	snprintf(path, sizeof path, "%s/config.json", bundle);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > (16 << 20)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	ssize_t n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return strlen(buf) == (size_t)n ? buf : (free(buf), NULL);
}

/* `run [-b B] ID` (RUN_TEMPLATE.md); returns when .NET must run it (with the key to publish). */
static void warm_run(int argc, char **argv, char **envp)
{
	struct launch_args a;
	if (run_parse_args(argc, argv, &a) < 0)
		return;
	char bundle[4200], cwd[4096];
	if (a.bundle[0] == '/')
		snprintf(bundle, sizeof bundle, "%s", a.bundle);
	else if (getcwd(cwd, sizeof cwd))
		snprintf(bundle, sizeof bundle, "%s/%s", cwd, a.bundle);
	else
		return;
	/* `-b .` (the default) and `-b dir/.`: the dir itself, as Path.GetFullPath names it (state.json's
	 * bundle, and the key when root.path is relative: `-b $PWD` and no -b must share a template). */
	for (size_t n = strlen(bundle); n > 2 && strcmp(bundle + n - 2, "/.") == 0; n -= 2)
		bundle[n - 2] = '\0';
	size_t n = strlen(bundle);
	if (n >= 3 && strcmp(bundle + n - 3, "/..") == 0)
		return;
	if (strstr(bundle, "/./") || strstr(bundle, "/../") || strstr(bundle, "//"))
		return; /* .NET's Path.GetFullPath names the bundle in state.json; not worth redoing here */
	size_t len = 0;
	char *json = read_config(bundle, &len);
	static struct run_config c;
	if (!json || run_config_scan(json, len, &c) < 0)
		return;
	free(json);
	char key[17];
	run_key(argv, envp, &a, &c, bundle, key);
	struct fast_call call = {&a, key, argv, envp, &c, bundle, NULL, 0};
	run(&call);
	setenv(RDMARUN_LAUNCH_KEY_ENV, key, 1);
}

void rdmarun_launch_fast(int argc, char **argv, char **envp)
{
	/* Every CLI call passes here: a cheap look for `launch` or `run` among the first words first. */
	int i = 1;
	while (i < argc && i < 10 && strcmp(argv[i], "launch") != 0 && strcmp(argv[i], "run") != 0)
		i++;
	if (i >= argc || i >= 10)
		return;
	const char *ttl = getenv(RDMARUN_LAUNCH_TTL_ENV);
	if (ttl && strcmp(ttl, "0") == 0)
		return;
	if (strcmp(argv[i], "run") == 0) {
		warm_run(argc, argv, envp); /* rootless too: its templates hold a user namespace */
		return;
	}
	if (geteuid() != 0)
		return;
	struct launch_args a;
	if (launch_parse_args(argc, argv, &a) < 0)
		return;
	char key[17];
	launch_key(argv, envp, &a, key);
	struct fast_call call = {&a, key, argv, envp, NULL, NULL, NULL, 0};
	run(&call);
	/* No usable template: .NET runs the full path and publishes one under this key. */
	setenv(RDMARUN_LAUNCH_KEY_ENV, key, 1);
}
