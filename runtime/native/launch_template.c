/*
 * launch_template: parses a template's text (format in LAUNCH_TEMPLATE.md). Strict: a line it
 * does not understand makes the template unusable, so a newer publisher's template is never
 * half-applied by an older binary.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launch_fast.h"

/* Splits "word rest" at the first space: returns rest (or NULL without one). */
static char *rest_of(char *line)
{
	char *sp = strchr(line, ' ');
	if (!sp)
		return NULL;
	*sp = '\0';
	return sp + 1;
}

/* Per-container mount work of a `kind run` template, in file order (RUN_TEMPLATE.md):
 *   procfs <flags> <source> <target>          fresh <fstype> <source> <flags> <data|-> <target>
 *   cgtmpfs <flags> <target>                  cgbind <flags> <key|-> <target>
 *   cglink <link text> <target>               rdonly|mask|cgro <target>
 * Words are single-space separated; the target runs to the end of the line. */
static int parse_refresh(const char *op, char *rest, struct launch_template *t)
{
	static const struct { const char *name; char op; int words; } ops[] = {
		{"procfs", 'p', 2}, {"fresh", 'f', 4}, {"cgtmpfs", 'T', 1}, {"cgbind", 'c', 2},
		{"cglink", 'L', 1}, {"rdonly", 'r', 0}, {"mask", 'm', 0}, {"cgro", 'R', 0},
	};
	if (t->nrefresh >= 64)
		return -1;
	struct run_refresh *r = &t->refresh[t->nrefresh];
	memset(r, 0, sizeof *r);
	int nwords = -1;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(op, ops[i].name) == 0) {
			r->op = ops[i].op;
			nwords = ops[i].words;
		}
	char *w[4];
	for (int i = 0; i < nwords; i++) {
		w[i] = rest;
		if (!rest || !(rest = rest_of(rest)))
			return -1;
	}
	r->target = rest;
	char *end = NULL;
	switch (r->op) {
	case 'p':
		r->flags = strtoul(w[0], &end, 16);
		r->source = w[1];
		break;
	case 'f':
		r->fstype = w[0];
		r->source = w[1];
		r->flags = strtoul(w[2], &end, 16);
		r->data = strcmp(w[3], "-") == 0 ? NULL : w[3];
		break;
	case 'T':
		r->flags = strtoul(w[0], &end, 16);
		break;
	case 'c':
		r->flags = strtoul(w[0], &end, 16);
		r->cgkey = strcmp(w[1], "-") == 0 ? "" : w[1];
		break;
	case 'L':
		r->data = w[0];
		break;
	case 'r': case 'm': case 'R':
		break;
	default:
		return -1;
	}
	if ((end && *end) || !r->target || r->target[0] != '/')
		return -1;
	t->nrefresh++;
	return 0;
}

static int parse_line(char *line, struct launch_template *t)
{
	char *rest = rest_of(line);
	if (strcmp(line, "nnp") == 0) {
		t->nnp = 1;
		return 0;
	}
	if (strcmp(line, "userns") == 0) {
		t->userns = 1;
		return 0;
	}
	if (!rest)
		return -1;
	if (strcmp(line, "version") == 0)
		return strcmp(rest, "1") == 0 ? 0 : -1;
	if (strcmp(line, "guard") == 0)
		return sscanf(rest, "%d %llu", &t->guard_pid, &t->guard_start) == 2 ? 0 : -1;
	if (strcmp(line, "rootfs") == 0)
		return sscanf(rest, "%llu %llu", &t->rootfs_dev, &t->rootfs_ino) == 2 ? 0 : -1;
	if (strcmp(line, "bundle") == 0) {
		t->bundle = rest;
		return 0;
	}
	if (strcmp(line, "rootfspath") == 0) {
		t->rootfspath = rest;
		return 0;
	}
	if (strcmp(line, "cgroup") == 0) {
		char *dir = rest_of(rest);
		if (!dir || dir[0] != '/' || t->ncg >= 32)
			return -1;
		t->cg_key[t->ncg] = strcmp(rest, "-") == 0 ? "" : rest;
		t->cg_dir[t->ncg++] = dir;
		return 0;
	}
	if (strcmp(line, "caps") == 0) {
		unsigned long long c[5];
		if (sscanf(rest, "%llx %llx %llx %llx %llx", &c[0], &c[1], &c[2], &c[3], &c[4]) != 5)
			return -1;
		for (int i = 0; i < 5; i++)
			t->caps[i] = c[i];
		t->has_caps = 1;
		return 0;
	}
	if (strcmp(line, "rlimit") == 0) {
		if (t->nrl >= 32 ||
		    sscanf(rest, "%d %llu %llu", &t->rl_res[t->nrl], &t->rl_soft[t->nrl], &t->rl_hard[t->nrl]) != 3)
			return -1;
		t->nrl++;
		return 0;
	}
	if (strcmp(line, "umask") == 0) {
		char *end;
		long m = strtol(rest, &end, 8);
		if (*end || m < 0 || m > 0777)
			return -1;
		t->umask = (int)m;
		return 0;
	}
	if (strcmp(line, "oom") == 0) {
		t->has_oom = 1;
		return sscanf(rest, "%d", &t->oom) == 1 ? 0 : -1;
	}
	if (strcmp(line, "env") == 0 && t->nenv < LAUNCH_MAX_LINES) {
		t->env[t->nenv++] = rest;
		return 0;
	}
	if (strcmp(line, "setenv") == 0 && t->nset < LAUNCH_MAX_LINES) {
		t->set[t->nset++] = rest;
		return 0;
	}
	if (strcmp(line, "passprefix") == 0 && t->npre < 64) {
		t->pre[t->npre++] = rest;
		return 0;
	}
	if (strcmp(line, "kind") == 0) {
		t->run = strcmp(rest, "run") == 0;
		return t->run ? 0 : -1;
	}
	if (strcmp(line, "newns") == 0)
		return sscanf(rest, "%lx", &t->newns) == 1 ? 0 : -1;
	if (strcmp(line, "hostname") == 0 || strcmp(line, "domainname") == 0 || strcmp(line, "cwd") == 0) {
		*(line[0] == 'h' ? &t->hostname : line[0] == 'd' ? &t->domainname : &t->cwd) = rest;
		return 0;
	}
	if (strcmp(line, "procfs") == 0 || strcmp(line, "rdonly") == 0 || strcmp(line, "mask") == 0 ||
	    strcmp(line, "fresh") == 0 || strcmp(line, "cgbind") == 0 || strcmp(line, "cgtmpfs") == 0 ||
	    strcmp(line, "cglink") == 0 || strcmp(line, "cgro") == 0)
		return parse_refresh(line, rest, t);
	if (strcmp(line, "passname") == 0 && t->nname < 64) {
		t->name[t->nname++] = rest;
		return 0;
	}
	return -1;
}

int launch_template_parse(char *text, struct launch_template *t)
{
	memset(t, 0, sizeof *t);
	t->buf = text;
	t->umask = -1;
	int have_version = 0;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, "version ", 8) == 0)
			have_version = 1;
		if (*line && parse_line(line, t) < 0)
			return -1;
		line = nl ? nl + 1 : NULL;
	}
	/* A rootless run template has no cgroup of its own (its containers share the caller's, as on the full path). */
	return have_version && t->guard_pid > 0 && t->bundle && t->rootfspath && (t->ncg > 0 || (t->run && t->userns)) ? 0 : -1;
}

unsigned long long launch_proc_starttime(int pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	p += 2; /* field 3 */
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoull(p, NULL, 10) : 0;
}
