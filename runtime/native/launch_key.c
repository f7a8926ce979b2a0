/*
 * launch_key: FNV-1a 64 over every input that shapes a rank's mount namespace or process
 * settings (LAUNCH_TEMPLATE.md "Key"). Two launches with the same key may share a template;
 * a changed config.json, policy, device request or flag gives a new key, so a stale template
 * is never joined.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch_fast.h"

static uint64_t mix(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	return mix(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static uint64_t mix_stat(uint64_t h, const char *path)
{
	struct stat st;
	unsigned long long f[5] = {0};
	if (stat(path, &st) == 0) {
		f[0] = st.st_dev;
		f[1] = st.st_ino;
		f[2] = (unsigned long long)st.st_size;
		f[3] = (unsigned long long)st.st_mtim.tv_sec;
		f[4] = (unsigned long long)st.st_mtim.tv_nsec;
	}
	return mix(h, f, sizeof f);
}

/* Who asks: uid, gid and supplementary groups (a template serves only the same caller). */
static uint64_t mix_ids(uint64_t h)
{
	unsigned ids[2] = {getuid(), getgid()};
	h = mix(h, ids, sizeof ids);
	gid_t groups[256];
	int n = getgroups(256, groups);
	if (n > 0)
		h = mix(h, groups, (size_t)n * sizeof groups[0]);
	return h;
}

void launch_key(char **argv, char **envp, const struct launch_args *a, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	h = mix_str(h, "rdmarun-launch-template-1");
	for (int i = 1; i < a->prog - 1; i++)
		h = mix_str(h, argv[i]);
	char cwd[4096];
	h = mix_str(h, getcwd(cwd, sizeof cwd) ? cwd : "");
	h = mix_ids(h);
	char config[4096];
	snprintf(config, sizeof config, "%s/config.json", a->bundle);
	h = mix_stat(h, config);
	h = mix_stat(h, a->policy);
	h = mix_stat(h, "/proc/self/exe"); /* a rebuilt or upgraded rdmarun builds its own templates */
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, "RDMA_VISIBLE_DEVICES=", 21) == 0 || strncmp(*e, "CUDA_VISIBLE_DEVICES=", 21) == 0 ||
		    strncmp(*e, "RDMARUN_", 8) == 0)
			h = mix_str(h, *e);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/*
 * A warm `run`'s key (RUN_TEMPLATE.md "Key"): the config's content except process.args and
 * process.env (Slurm writes a new bundle per step with only those changed), not its path or
 * mtime. The bundle dir counts only when root.path is relative to it.
 */
void run_key(char **argv, char **envp, const struct launch_args *a, const struct run_config *c, const char *bundle_abs,
	     char out[17])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	h = mix_str(h, "rdmarun-run-template-1");
	for (int i = 1; i < a->verb; i++)
		h = mix_str(h, argv[i]);
	h = mix_ids(h);
	h = mix(h, &c->hash, sizeof c->hash);
	if (c->relative_root)
		h = mix_str(h, bundle_abs);
	h = mix_stat(h, a->policy);
	h = mix_stat(h, "/proc/self/exe");
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, "RDMARUN_", 8) == 0)
			h = mix_str(h, *e);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}
