/*
 * template_guard: expires an idle warm-launch template (LAUNCH_TEMPLATE.md). The publisher
 * spawns the rdmarun binary with _RDMARUN_TEMPLATE_GUARD=<template dir> in its own session;
 * this constructor sleeps until the template has been idle for the TTL (ranks touch `inuse`
 * when they start and end) and no rank holds `inuse`, then tears it down: rename (no new
 * rank can find it), detach the namespace mount, remove the template cgroups and files.
 * It is also every warm rank's cleanup guard: each rank's supervisor keeps a connection to
 * guard.sock open, and one that closes while the rank's state dir still exists means the
 * supervisor was killed (SIGKILL): the guard runs `rdmarun delete --force` on that container.
 * The .NET runtime never starts in this process.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "launch_fast.h"

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void remove_cgroup_dirs(const char *dir)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/template", dir);
	FILE *f = fopen(path, "re");
	char line[4200];
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "cgroup ", 7) != 0)
			continue;
		char *cg = strchr(line + 7, ' ');
		/* Ranks remove their own child dirs; one killed mid-way is removed by its guard's delete. */
		for (int tries = 0; cg && rmdir(cg + 1) < 0 && errno == EBUSY && tries < 300; tries++)
			sleep_s(0.1);
	}
	if (f)
		fclose(f);
}

static void teardown(const char *dir, int inuse)
{
	char dead[4200], p[4300];
	const char *slash = strrchr(dir, '/');
	snprintf(dead, sizeof dead, "%.*s/.dead-%s-%d", (int)(slash - dir), dir, slash + 1, getpid());
	if (rename(dir, dead) < 0)
		_exit(0); /* dropped by someone else meanwhile */
	close(inuse);
	snprintf(p, sizeof p, "%s/mnt", dead);
	umount2(p, MNT_DETACH);
	remove_cgroup_dirs(dead);
	const char *files[] = {"mnt", "config.json", "inuse", "template", "template.tmp", "guard.sock"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dead, files[i]);
		unlink(p);
	}
	rmdir(dead);
	_exit(0);
}

/* A rank's supervisor, registered through guard.sock (launch_fast.c register_with_guard). */
struct client {
	int fd;
	char msg[8192]; /* root \0 policy \0 id \0 statedir */
};

static struct client g_clients[1024];
static int g_nclients;
/* Rootless run templates: the template's user and mount namespaces (RUN_TEMPLATE.md "Rootless"). */
static int g_nsfd[2] = {-1, -1};

/* Each registered warm run gets the two namespaces; it joins them before its container starts. */
static void send_namespaces(int fd)
{
	if (g_nsfd[0] < 0)
		return;
	char byte = 'n';
	struct iovec iov = {&byte, 1};
	union {
		char buf[CMSG_SPACE(sizeof g_nsfd)];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof g_nsfd);
	memcpy(CMSG_DATA(c), g_nsfd, sizeof g_nsfd);
	if (sendmsg(fd, &m, MSG_NOSIGNAL) < 0) { /* the run sees no namespaces and takes the full path */
	}
}

/* The supervisor is gone: if it did not remove its container, delete it as `launch` would. */
static void client_gone(struct client *c)
{
	/* Copy the message out first: the last client moves into this slot. */
	char msg[sizeof c->msg];
	memcpy(msg, c->msg, sizeof msg);
	close(c->fd);
	*c = g_clients[--g_nclients];
	char *root = msg, *policy = root + strlen(root) + 1, *id = policy + strlen(policy) + 1,
	     *statedir = id + strlen(id) + 1;
	if (access(statedir, F_OK) != 0)
		return; /* the usual case: it cleaned up itself */
	if (fork() == 0) {
		char *argv[] = {"rdmarun", "--root", root, "--rdma-policy", policy, "delete", "--force", id, NULL};
		unsetenv(RDMARUN_TEMPLATE_GUARD_ENV);
		unsetenv(RDMARUN_TEMPLATE_NSFDS_ENV);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
}

static int listen_on(const char *dir)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/guard.sock", dfd);
	if (fd < 0 || dfd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 128) < 0)
		_exit(0); /* no guard.sock: ranks never take the template; the publisher's GC removes it */
	close(dfd);
	return fd;
}

/*
 * The template serves every later job: its guard must not stay in the publishing job's cgroups,
 * where Slurm's proctrack/cgroup kills it with that job's first step (the template then dies with
 * it). So it moves to the root of each cgroup hierarchy, as a system daemon lives; best effort.
 */
static void leave_job_cgroups(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	while (f && fgets(line, sizeof line, f)) {
		/* id parent major:minor root mountpoint options [optional...] - fstype source superoptions */
		char root[1024], mnt[1024], fstype[64];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %1023s %1023s", root, mnt) != 2 || sscanf(dash + 3, "%63s", fstype) != 1)
			continue;
		if ((strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0) || strcmp(root, "/") != 0 || strchr(mnt, '\\'))
			continue;
		char procs[1100];
		snprintf(procs, sizeof procs, "%s/cgroup.procs", mnt);
		int fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "0", 1) < 0) { /* not ours to leave (rootless): stay */
			}
			close(fd);
		}
	}
	if (f)
		fclose(f);
}

/* Seconds the template has been idle; < 0 when it was dropped. */
static double idle_for(const char *inuse)
{
	struct stat st;
	if (stat(inuse, &st) < 0)
		return -1;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (double)(now.tv_sec - st.st_mtim.tv_sec) + (double)(now.tv_nsec - st.st_mtim.tv_nsec) / 1e9;
}

__attribute__((constructor)) static void rdmarun_template_guard(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	(void)envp;
	const char *dir = getenv(RDMARUN_TEMPLATE_GUARD_ENV);
	if (!dir)
		return;
	const char *ttl_s = getenv(RDMARUN_TEMPLATE_TTL_ENV);
	double ttl = ttl_s ? atof(ttl_s) : 120;
	if (ttl <= 0)
		ttl = 120;
	const char *nsfds = getenv(RDMARUN_TEMPLATE_NSFDS_ENV);
	if (nsfds && sscanf(nsfds, "%d,%d", &g_nsfd[0], &g_nsfd[1]) == 2) {
		fcntl(g_nsfd[0], F_SETFD, FD_CLOEXEC); /* not into the deletes we fork */
		fcntl(g_nsfd[1], F_SETFD, FD_CLOEXEC);
	} else {
		g_nsfd[0] = g_nsfd[1] = -1;
	}
	if (chdir("/") < 0)
		_exit(0); /* never pin the publisher's cwd (a job directory) for the template's lifetime */
	leave_job_cgroups();
	int lfd = listen_on(dir);
	char path[4400];
	snprintf(path, sizeof path, "%s/template", dir);
	/* The publisher writes the template after spawning us; gone for good if it never comes. */
	int waited = 0;
	for (; access(path, F_OK) != 0 && waited < 500; waited++)
		sleep_s(0.02);
	if (waited == 500)
		_exit(0);
	snprintf(path, sizeof path, "%s/inuse", dir);
	for (;;) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			; /* deletes we started */
		double idle = idle_for(path);
		if (idle < 0)
			_exit(0); /* dropped (launch --drop-templates) */
		if (idle >= ttl && g_nclients == 0) {
			int fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				_exit(0);
			/* A rank holds LOCK_SH from before it registers until it ends. */
			if (flock(fd, LOCK_EX | LOCK_NB) == 0 && idle_for(path) >= ttl)
				teardown(dir, fd);
			close(fd);
			idle = ttl - 1; /* look again in a second */
		}
		struct pollfd pfd[1025];
		pfd[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
		for (int i = 0; i < g_nclients; i++)
			pfd[i + 1] = (struct pollfd){.fd = g_clients[i].fd, .events = POLLIN};
		double wait_s = g_nclients ? 1.0 : ttl - idle + 0.05;
		int n = poll(pfd, (nfds_t)g_nclients + 1, (int)(wait_s * 1000));
		if (n <= 0)
			continue;
		for (int i = g_nclients; i >= 1; i--) /* backwards: client_gone moves the last one into i-1 */
			if (pfd[i].revents) {
				char b;
				if (recv(g_clients[i - 1].fd, &b, 1, MSG_DONTWAIT) <= 0)
					client_gone(&g_clients[i - 1]);
			}
		if ((pfd[0].revents & POLLIN) && g_nclients < 1024) {
			struct client *c = &g_clients[g_nclients];
			c->fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			ssize_t len = c->fd >= 0 ? recv(c->fd, c->msg, sizeof c->msg - 1, 0) : -1;
			if (len > 0) {
				c->msg[len] = '\0';
				send_namespaces(c->fd);
				g_nclients++;
			} else if (c->fd >= 0) {
				close(c->fd);
			}
		}
	}
}
