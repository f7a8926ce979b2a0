/* Warm `launch` (LAUNCH_TEMPLATE.md): ranks joining a published template before .NET starts. */
#ifndef RDMARUN_LAUNCH_FAST_H
#define RDMARUN_LAUNCH_FAST_H

#include <stdint.h>
#include <sys/types.h>

#define RDMARUN_LAUNCH_KEY_ENV "_RDMARUN_LAUNCH_KEY"
#define RDMARUN_TEMPLATE_GUARD_ENV "_RDMARUN_TEMPLATE_GUARD"
#define RDMARUN_TEMPLATE_TTL_ENV "_RDMARUN_TEMPLATE_TTL"
#define RDMARUN_TEMPLATE_NSFDS_ENV "_RDMARUN_TEMPLATE_NSFDS"
#define RDMARUN_LAUNCH_TTL_ENV "RDMARUN_LAUNCH_TEMPLATE_TTL"
#define LAUNCH_MAX_LINES 512

/* What argv says (launch_args.c). */
struct launch_args {
	const char *root;    /* --root, default /run/rdmarun */
	const char *bundle;  /* -b/--bundle, default "." */
	const char *policy;  /* --rdma-policy, default /etc/rdmarun/rdma.json */
	int prog;            /* index of the program (the word after "--") */
	int verb;            /* index of the verb */
	const char *id;      /* run: the container id */
	int warm;            /* --warm-run */
	int root_given;      /* --root was on the command line (else .NET's default applies) */
	int logs;            /* --log, --log-format or --debug: .NET writes the messages */
};

/* 0: `state ID` with no logging flags, which state_fast.c may answer; -1: .NET. */
int state_parse_args(int argc, char **argv, struct launch_args *a);

/* `state ID` of a container that is not there: the message and exit status 1, without .NET. */
void rdmarun_state_fast(int argc, char **argv);

/* 0: `run [-b B] ID` the warm path may serve (RUN_TEMPLATE.md); -1: .NET. */
int run_parse_args(int argc, char **argv, struct launch_args *a);

/* What a warm `run` reads from config.json itself (run_config.c). */
struct run_config {
	uint64_t hash;     /* everything but process.args and process.env, plus the env's RDMA request */
	char **args, **env; /* the step's own, NULL-terminated */
	char *annotations; /* the raw JSON object, or NULL */
	int relative_root;
};

int run_config_scan(const char *json, size_t len, struct run_config *c);

/* The key of a warm `run` (launch_key.c). */
void run_key(char **argv, char **envp, const struct launch_args *a, const struct run_config *c, const char *bundle_abs,
	     char out[17]);

/* 0: `launch` the fast path may serve; -1: leave it to .NET. */
int launch_parse_args(int argc, char **argv, struct launch_args *a);

/* The template key: 16 hex digits + NUL (launch_key.c). */
void launch_key(char **argv, char **envp, const struct launch_args *a, char out[17]);

/* A parsed `template` file (launch_template.c); strings point into buf. */
struct launch_template {
	char *buf;
	int guard_pid;
	unsigned long long guard_start;
	unsigned long long rootfs_dev, rootfs_ino;
	const char *bundle, *rootfspath;
	int ncg;
	const char *cg_key[32], *cg_dir[32];
	int has_caps;
	uint64_t caps[5]; /* bounding effective permitted inheritable ambient */
	int nrl;
	int rl_res[32];
	unsigned long long rl_soft[32], rl_hard[32];
	int nnp;
	int umask; /* -1: unset */
	int has_oom, oom;
	int nenv, npre, nname, nset;
	const char *env[LAUNCH_MAX_LINES], *pre[64], *name[64], *set[LAUNCH_MAX_LINES];
	/* `kind run` templates only (RUN_TEMPLATE.md) */
	int run;
	int userns;                   /* rootless: the guard hands out the user and mount namespaces */
	unsigned long newns;          /* clone flags of the namespaces each container gets */
	const char *hostname, *domainname, *cwd;
	int nrefresh;
	struct run_refresh {
		char op;              /* 'p' procfs, 'r' rdonly, 'm' mask, 'f' fresh, 'c' cgbind, 'T' cgtmpfs, 'L' cglink, 'R' cgro */
		unsigned long flags;
		const char *fstype, *source, *target, *data, *cgkey;
	} refresh[64];
};

int launch_template_parse(char *text, struct launch_template *t);

/* /proc/<pid>/stat field 22, 0 when the process is gone. */
unsigned long long launch_proc_starttime(int pid);

/* The new mount API's constants (glibc 2.36 headers lack some) and the error exit of a warm
 * run's container set-up (run_mounts.c, run_dev.c). */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#define FSOPEN_CLOEXEC_ 0x1
#define FSCONFIG_SET_STRING_ 1
#define FSCONFIG_CMD_CREATE_ 6
#define FSMOUNT_CLOEXEC_ 0x1
void run_die(const char *what, const char *path, int err) __attribute__((noreturn));

struct run_step;
/* Runs the rank in the template's namespace: never returns (launch_rank.c). */
void launch_exec_rank(const struct launch_template *t, int mntfd, char **cgprocs, int ncg,
		      char **argv, char **envp, const struct run_step *step) __attribute__((noreturn));

/* A warm run's container, in the template's namespaces, before the exec (run_mounts.c). */
struct run_step {
	const struct run_config *config;
	int cgfd[32]; /* O_PATH fds of the container's own cgroup dirs, by template cgroup line */
};
void run_refresh_mounts(const struct launch_template *t, const struct run_step *s);
/* The container's own /dev tmpfs with the template's nodes, links and mounts (run_dev.c). */
void run_fresh_dev(void);

/* Tries the fast path; returns only when .NET must do the launch (launch_fast.c). */
void rdmarun_launch_fast(int argc, char **argv, char **envp);

#endif
