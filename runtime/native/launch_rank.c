/*
 * launch_rank: the forked rank of a warm launch. It does, in the template's mount namespace,
 * what the init's stage 2 does for a full launch (ExecProcess, CapabilitySets, RlimitSetup):
 * the same environment, ids, limits and capabilities, so a rank cannot tell which path ran it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch_fast.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *g_verb = "launch";

static void __attribute__((noreturn)) die(const char *what, int err)
{
	dprintf(2, "ERRO[0000] %s: %s%s%s\n", g_verb, what, err ? ": " : "", err ? strerror(err) : "");
	_exit(1);
}

/* ---- environment: LaunchSpec.MergeEnv, then ExecProcess's HOME ---- */

static int env_find(char **env, int n, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (int i = 0; i < n; i++)
		if (strncmp(env[i], kv, klen) == 0 && env[i][klen] == '=')
			return i;
	return -1;
}

static void env_set(char **env, int *n, int cap, const char *kv)
{
	if (!strchr(kv, '=') || kv[0] == '=')
		return;
	int i = env_find(env, *n, kv);
	if (i >= 0)
		env[i] = (char *)kv;
	else if (*n < cap)
		env[(*n)++] = (char *)kv;
}

static int passes(const struct launch_template *t, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (int i = 0; i < t->npre; i++)
		if (strncmp(kv, t->pre[i], strlen(t->pre[i])) == 0)
			return 1;
	for (int i = 0; i < t->nname; i++)
		if (strlen(t->name[i]) == klen && strncmp(kv, t->name[i], klen) == 0)
			return 1;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const unsigned char *x = *(const unsigned char *const *)a, *y = *(const unsigned char *const *)b;
	for (;; x++, y++) { /* ordinal order of the names; '=' ends a name */
		int cx = *x == '=' ? -1 : *x, cy = *y == '=' ? -1 : *y;
		if (cx != cy || cx == -1)
			return cx - cy;
	}
}

static char *home_of(uid_t uid)
{
	static char home[4096];
	FILE *f = fopen("/etc/passwd", "re");
	char line[4096];
	while (f && fgets(line, sizeof line, f)) {
		char *field[7] = {0};
		int nf = 0;
		for (char *p = line, *tok; nf < 7 && (tok = strsep(&p, ":\n")); nf++)
			field[nf] = tok;
		if (nf >= 6 && field[2][0] && strtoul(field[2], NULL, 10) == uid && field[5][0]) {
			snprintf(home, sizeof home, "HOME=%s", field[5]);
			fclose(f);
			return home;
		}
	}
	if (f)
		fclose(f);
	return "HOME=/";
}

static char **build_env(const struct launch_template *t, char **caller)
{
	int cap = LAUNCH_MAX_LINES * 2 + 512, n = 0;
	char **env = calloc((size_t)cap + 1, sizeof *env);
	char **pass = calloc((size_t)cap + 1, sizeof *pass);
	if (!env || !pass)
		die("out of memory", 0);
	for (int i = 0; i < t->nenv; i++)
		env_set(env, &n, cap, t->env[i]);
	int np = 0;
	for (char **e = caller; e && *e && np < cap; e++)
		if (passes(t, *e))
			pass[np++] = *e;
	qsort(pass, (size_t)np, sizeof *pass, by_name);
	for (int i = 0; i < np; i++)
		env_set(env, &n, cap, pass[i]);
	for (int i = 0; i < t->nset; i++)
		env_set(env, &n, cap, t->set[i]);
	if (env_find(env, n, "HOME=") < 0 && n < cap)
		env[n++] = home_of(getuid());
	env[n] = NULL;
	return env;
}

/* ---- program lookup: ExecProcess.LookPath (the last PATH wins, as there) ---- */

static const char *look_path(const char *name, char **env, char *buf, size_t len)
{
	struct stat st;
	if (strchr(name, '/')) {
		if (stat(name, &st) != 0) {
			dprintf(2, "ERRO[0000] exec: \"%s\": stat %s: no such file or directory\n", name, name);
			_exit(1);
		}
		return name;
	}
	const char *path = DEFAULT_PATH;
	for (char **e = env; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	for (const char *p = path;;) {
		size_t dl = strcspn(p, ":");
		snprintf(buf, len, "%.*s/%s", (int)(dl ? dl : 1), dl ? p : ".", name);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
			return buf;
		if (!p[dl])
			break;
		p += dl + 1;
	}
	dprintf(2, "ERRO[0000] exec: \"%s\": executable file not found in $PATH\n", name);
	_exit(1);
}

/* ---- capabilities: CapabilitySets.ApplyBounding + Apply ---- */

static int last_cap(void)
{
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	char buf[16] = {0};
	if (fd < 0 || read(fd, buf, sizeof buf - 1) <= 0)
		die("read /proc/sys/kernel/cap_last_cap", errno);
	close(fd);
	return atoi(buf);
}

static void apply_caps(const uint64_t *c, int last)
{
	for (int i = 0; i <= last; i++)
		if (!(c[0] & (1ULL << i)) && prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
			die("drop a capability from the bounding set", errno);
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {
		{(uint32_t)c[1], (uint32_t)c[2], (uint32_t)c[3]},
		{(uint32_t)(c[1] >> 32), (uint32_t)(c[2] >> 32), (uint32_t)(c[3] >> 32)},
	};
	if (syscall(SYS_capset, &hdr, data) < 0)
		die("capset", errno);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		die("clear the ambient capability set", errno);
	/* As the full path (and runc): a capability not both permitted and inheritable is skipped. */
	for (int i = 0; i < 64; i++)
		if (c[4] & (1ULL << i))
			prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0);
}

/* A warm run's environment: the spec's process.env as the init passes it (ExecProcess.Environment). */
static char **run_env(char **spec)
{
	int n = 0;
	while (spec[n])
		n++;
	char **env = calloc((size_t)n + 2, sizeof *env);
	if (!env)
		die("out of memory", 0);
	memcpy(env, spec, (size_t)n * sizeof *env);
	if (env_find(env, n, "HOME=") < 0)
		env[n++] = home_of(getuid());
	env[n] = NULL;
	return env;
}

/* Own mount namespace (a copy of the template's) and the names: a warm run's container set-up. */
static void run_namespaces(const struct launch_template *t, const struct run_step *step)
{
	/* After joining our own cgroup (launch_exec_rank does that first): the namespace is rooted
	 * where we are when it is made. The template's `fresh` cgroup2 line then mounts it. */
	if ((t->newns & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		die("create the container's cgroup namespace", errno);
	if (unshare(CLONE_NEWNS) < 0)
		die("create the container's mount namespace", errno);
	run_refresh_mounts(t, step);
	if (t->hostname && sethostname(t->hostname, strlen(t->hostname)) < 0)
		die("sethostname", errno);
	if (t->domainname && setdomainname(t->domainname, strlen(t->domainname)) < 0)
		die("setdomainname", errno);
}

void launch_exec_rank(const struct launch_template *t, int mntfd, char **cgprocs, int ncg, char **argv, char **envp,
		      const struct run_step *step)
{
	if (step)
		g_verb = "run";
	/* The rank dies with its supervisor, as a full-path rank dies with `launch` (and a run's init with `run`). */
	pid_t parent = getppid();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		_exit(1);
	int last = t->has_caps ? last_cap() : 0; /* read before setns: /proc may differ inside */
	char cwd[4096];
	if (step)
		snprintf(cwd, sizeof cwd, "%s", t->cwd ? t->cwd : "/");
	else if (!getcwd(cwd, sizeof cwd))
		die("getcwd", errno);
	/* Join the cgroups first: everything the rank starts is accounted and killed with it. */
	for (int i = 0; i < ncg; i++) {
		int fd = open(cgprocs[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			die(cgprocs[i], errno);
		close(fd);
	}
	/* setns(CLONE_NEWNS) also moves our root and cwd to the namespace's root (pivoted rootfs). */
	if (setns(mntfd, CLONE_NEWNS) < 0)
		die("join the template's mount namespace", errno);
	close(mntfd);
	if (step)
		run_namespaces(t, step);
	if (chdir(cwd) < 0) {
		dprintf(2, "ERRO[0000] %s: chdir to cwd (\"%s\") set in config.json failed: %s\n", g_verb, cwd, strerror(errno));
		_exit(1);
	}
	for (int i = 0; i < t->nrl; i++) {
		struct rlimit rl = {t->rl_soft[i], t->rl_hard[i]};
		if (setrlimit(t->rl_res[i], &rl) < 0)
			die("setrlimit", errno);
	}
	if (t->umask >= 0)
		umask((mode_t)t->umask);
	if (t->has_oom) {
		char v[16];
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC), len = snprintf(v, sizeof v, "%d", t->oom);
		if (fd < 0 || write(fd, v, (size_t)len) != len)
			die("write oom_score_adj", errno);
		close(fd);
	}
	char **env = step ? run_env(step->config->env) : build_env(t, envp);
	char path[4096];
	const char *prog = look_path(argv[0], env, path, sizeof path);
	if (t->has_caps)
		apply_caps(t->caps, last);
	if (t->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("set no_new_privs", errno);
	/* Dispositions the supervisor's parent ignored are reset, as the init's exec does. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* As the init: only stdio reaches the container's process (run has no --preserve-fds here). */
	if (step)
		syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
	execve(prog, argv, env);
	int err = errno;
	if (step) {
		/* As the full path's init, whose create has returned: the error on the container's
		 * stderr in .NET's words (SyscallException: strerror, lower case), exit status 1. */
		char text[128];
		snprintf(text, sizeof text, "%s", strerror(err));
		for (char *c = text; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		dprintf(2, "rdmarun: exec %s: %s\n", prog, text);
		_exit(1);
	}
	dprintf(2, "ERRO[0000] exec %s: %s\n", prog, strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}
