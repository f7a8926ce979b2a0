/*
 * run_mounts: what a warm `run` container gets fresh in its own copy of the template's mount
 * namespace (RUN_TEMPLATE.md "Per container"): /proc of its own PID namespace with the spec's
 * read-only and masked paths under it, new instances of the spec's tmpfs/devpts/mqueue mounts
 * (nothing written by one container is seen by the next), and its own cgroup directories at
 * /sys/fs/cgroup. The same calls, in the same order, as the init's stage 2 (RootfsSetup,
 * CgroupMount, RootfsFinalize); the template lists them so C needs no spec.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch_fast.h"


void run_die(const char *what, const char *path, int err)
{
	dprintf(2, "ERRO[0000] run: %s %s: %s\n", what, path, strerror(err));
	_exit(1);
}

#define die run_die

static void mount_or_die(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data)
{
	if (mount(src, target, fstype, flags, data) < 0)
		die(fstype ? fstype : "mount", target, errno);
}

/* Mounter.BindRemount: the requested flags; when the kernel refuses (locked flags), with the current ones kept. */
static void bind_remount(const char *target, unsigned long flags)
{
	if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags, NULL) == 0)
		return;
	struct statvfs v;
	unsigned long keep = 0;
	if (statvfs(target, &v) == 0)
		keep = v.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RDONLY | ST_NOATIME | ST_NODIRATIME | ST_RELATIME);
	/* ST_* and MS_* share their values for these bits. */
	mount_or_die(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags | keep, NULL);
}

/* The template's instance goes (lazily: nothing of ours holds it), the new one takes its place. */
static void unmount_old(const char *target)
{
	if (umount2(target, MNT_DETACH) < 0)
		die("unmount the template's", target, errno);
}

/*
 * A procfs of our PID namespace in place of the template's. Made detached (fsmount) while the
 * template's is still mounted: in a user namespace the kernel allows a new procfs only when one is
 * already fully visible, so it must exist before the old one goes; then the old one is detached
 * and the new one moved into its place.
 */
static void fresh_proc(const char *source, const char *target, unsigned long ms)
{
	unsigned attr = (ms & MS_RDONLY ? 0x1 : 0) | (ms & MS_NOSUID ? 0x2 : 0) | (ms & MS_NODEV ? 0x4 : 0) |
			(ms & MS_NOEXEC ? 0x8 : 0) | (ms & MS_NOATIME ? 0x10 : 0) | (ms & MS_STRICTATIME ? 0x20 : 0) |
			(ms & MS_NODIRATIME ? 0x80 : 0);
	int fc = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC_);
	if (fc < 0 || syscall(SYS_fsconfig, fc, FSCONFIG_SET_STRING_, "source", source, 0) < 0 ||
	    syscall(SYS_fsconfig, fc, FSCONFIG_CMD_CREATE_, NULL, NULL, 0) < 0)
		die("create a procfs for", target, errno);
	int m = (int)syscall(SYS_fsmount, fc, FSMOUNT_CLOEXEC_, attr);
	if (m < 0)
		die("mount a procfs for", target, errno);
	close(fc);
	unmount_old(target);
	if (syscall(SYS_move_mount, m, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die("move the new procfs to", target, errno);
	close(m);
}

static void mask(const char *path)
{
	struct stat st, null;
	if (stat(path, &st) < 0)
		return; /* as the full path: a masked path that does not exist is skipped */
	if (S_ISDIR(st.st_mode)) {
		mount_or_die("tmpfs", path, "tmpfs", MS_RDONLY, NULL);
		return;
	}
	/* /dev/null must be the null device, not an image's symlink to a host file. */
	if (lstat("/dev/null", &null) < 0 || !S_ISCHR(null.st_mode))
		die("masked paths: /dev/null in the container is not a character device, refusing to bind it to", path, EINVAL);
	mount_or_die("/dev/null", path, "bind", MS_BIND, NULL);
}

static void rdonly(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return;
	mount_or_die(path, path, "bind", MS_BIND | MS_REC, NULL);
	bind_remount(path, MS_RDONLY | MS_REC);
}

static int cg_index(const struct launch_template *t, const char *key)
{
	for (int i = 0; i < t->ncg; i++)
		if (strcmp(t->cg_key[i], key) == 0)
			return i;
	return -1;
}

/*
 * CgroupMount.MountFreshOrBind: a fresh cgroup2 in the container's cgroup namespace. Refused with
 * EBUSY when what lies beneath is the same superblock (rootless: /sys is an rbind of the host's, so
 * its cgroup2 mount is there) and EPERM when the user namespace does not own the cgroup namespace;
 * then, as the full path: the container's own cgroup dir, or for a rootless template (no cgroup of
 * its own) an empty read-only tmpfs.
 */
static void fresh_cgroup2(const struct launch_template *t, const struct run_step *s, const struct run_refresh *r)
{
	if (mount(r->source, r->target, r->fstype, r->flags, r->data) == 0)
		return;
	int err = errno;
	if (err != EBUSY && err != EPERM)
		die("cgroup2", r->target, err);
	int k = cg_index(t, "");
	if (k >= 0 && s->cgfd[k] >= 0) {
		if (syscall(SYS_move_mount, s->cgfd[k], "", AT_FDCWD, r->target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			die("bind the container's cgroup at", r->target, errno);
	} else if (t->ncg == 0) {
		mount_or_die("tmpfs", r->target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
		return;
	} else {
		die("cgroup2", r->target, err);
	}
	bind_remount(r->target, r->flags);
}

void run_refresh_mounts(const struct launch_template *t, const struct run_step *s)
{
	const char *cgtmpfs = NULL; /* binds below a fresh cgroup tmpfs have nothing to unmount */
	/* Our copy must not send its unmounts back to the template (a shared root would). */
	mount_or_die(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
	run_fresh_dev(); /* first: the mounts below /dev are replaced below, and mask binds /dev/null */
	for (int i = 0; i < t->nrefresh; i++) {
		const struct run_refresh *r = &t->refresh[i];
		switch (r->op) {
		case 'p':
			fresh_proc(r->source, r->target, r->flags);
			break;
		case 'r':
			rdonly(r->target);
			break;
		case 'm':
			mask(r->target);
			break;
		case 'f':
			unmount_old(r->target);
			if (strcmp(r->fstype, "cgroup2") == 0)
				fresh_cgroup2(t, s, r);
			else
				mount_or_die(r->source, r->target, r->fstype, r->flags, r->data);
			break;
		case 'c': {
			/* The container's own cgroup dir, cloned by the supervisor in the host's mount
			 * namespace (a bind from there would cross namespaces: EINVAL). */
			int k = cg_index(t, r->cgkey);
			if (k < 0 || s->cgfd[k] < 0)
				die("bind the container's cgroup at", r->target, ENOENT);
			size_t n = cgtmpfs ? strlen(cgtmpfs) : 0;
			if (cgtmpfs && strncmp(r->target, cgtmpfs, n) == 0 && r->target[n] == '/') {
				if (mkdir(r->target, 0755) < 0 && errno != EEXIST)
					die("create", r->target, errno);
			} else {
				unmount_old(r->target);
			}
			if (syscall(SYS_move_mount, s->cgfd[k], "", AT_FDCWD, r->target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
				die("bind the container's cgroup at", r->target, errno);
			bind_remount(r->target, r->flags);
			break;
		}
		case 'T': /* CgroupMount (v1): the tmpfs that holds one bind per hierarchy */
			unmount_old(r->target);
			mount_or_die("tmpfs", r->target, "tmpfs", r->flags, "mode=755");
			cgtmpfs = r->target;
			break;
		case 'L':
			if (symlink(r->data, r->target) < 0 && errno != EEXIST)
				die("symlink", r->target, errno);
			break;
		case 'R':
			bind_remount(r->target, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
			break;
		}
	}
}
