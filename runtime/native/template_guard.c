/*
 * template_guard: expires an idle warm-launch template (LAUNCH_TEMPLATE.md). The publisher
 * spawns the rdmarun binary with _RDMARUN_TEMPLATE_GUARD=<template dir> in its own session;
 * this constructor sleeps until the template has been idle for the TTL (ranks touch `inuse`
 * when they start and end) and no rank holds `inuse`, then tears it down: rename (no new
 * rank can find it), detach the namespace mount, remove the template cgroups and files. The
 * .NET runtime never starts in this process.
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
#include <sys/mount.h>
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
	const char *files[] = {"mnt", "config.json", "inuse", "template", "template.tmp"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dead, files[i]);
		unlink(p);
	}
	rmdir(dead);
	_exit(0);
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
	char path[4200];
	snprintf(path, sizeof path, "%s/template", dir);
	/* The publisher writes the template after spawning us; gone for good if it never comes. */
	int waited = 0;
	for (; access(path, F_OK) != 0 && waited < 500; waited++)
		sleep_s(0.02);
	if (waited == 500)
		_exit(0);
	snprintf(path, sizeof path, "%s/inuse", dir);
	for (;;) {
		struct stat st;
		if (stat(path, &st) < 0)
			_exit(0); /* dropped (launch --drop-templates) */
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		double idle = (double)(now.tv_sec - st.st_mtim.tv_sec) + (double)(now.tv_nsec - st.st_mtim.tv_nsec) / 1e9;
		if (idle < ttl) {
			sleep_s(ttl - idle + 0.05);
			continue;
		}
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			_exit(0);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &st) == 0) {
			clock_gettime(CLOCK_REALTIME, &now);
			if (now.tv_sec - st.st_mtim.tv_sec >= (time_t)ttl)
				teardown(dir, fd);
		}
		close(fd); /* a rank runs (or just started): look again later */
		sleep_s(1);
	}
}
