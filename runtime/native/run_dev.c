/*
 * run_dev: a warm `run` container's own /dev (RUN_TEMPLATE.md). The template's /dev tmpfs is one
 * superblock for all its containers: a file one container wrote there, or a /dev/null it removed,
 * would reach every later one (and a missing /dev/null fails every later warm start). So each
 * container gets a new tmpfs in place of /dev with a copy of what the full path's init put there:
 * device nodes, symlinks and directories, and a clone of each mount below it (devpts, shm,
 * mqueue, the RDMA grant's nodes, a rootless container's device binds). Regular files, fifos and
 * sockets are what containers wrote: not copied.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch_fast.h"


#define die run_die

static int mount_root(int dfd, const char *name)
{
	struct statx sx;
	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) < 0)
		return 0;
	return (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* The mounts below the template's /dev, cloned while it is still ours, attached after the swap. */
struct below {
	int tree;
	char path[512];
};
static struct below g_below[64];
static int g_nbelow;

/* A clone of the mount at from/name (with what is mounted below it), and its placeholder in `to`. */
static void clone_mount(int from, int to, const char *name, const struct stat *st, const char *path)
{
	if (g_nbelow >= 64 || strlen(path) >= sizeof g_below[0].path)
		die("too many mounts below", "/dev", E2BIG);
	if (S_ISDIR(st->st_mode) ? mkdirat(to, name, 0755) : mknodat(to, name, S_IFREG | 0600, 0))
		die("create the mount point", path, errno);
	/* Cloned here, from our namespace (older kernels clone nothing from a detached tree). */
	int tree = (int)syscall(SYS_open_tree, from, name, OPEN_TREE_CLONE | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW | O_CLOEXEC);
	if (tree < 0)
		die("clone the template's mount", path, errno);
	g_below[g_nbelow].tree = tree;
	snprintf(g_below[g_nbelow++].path, sizeof g_below[0].path, "%s", path);
}

/* Copies directory `from` (the template's /dev or below) into `to` (the container's). */
static void copy_dir(int from, int to, const char *path)
{
	int it = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = it >= 0 ? fdopendir(it) : NULL;
	if (!d)
		die("read", path, errno);
	struct dirent *e;
	while ((errno = 0, e = readdir(d))) {
		const char *name = e->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		char sub[4096], target[4096];
		snprintf(sub, sizeof sub, "%s/%s", path, name);
		struct stat st;
		if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			die("stat", sub, errno);
		if (mount_root(from, name)) {
			clone_mount(from, to, name, &st, sub);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (mkdirat(to, name, st.st_mode & 07777) < 0)
				die("mkdir", sub, errno);
			int f = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int t = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (f < 0 || t < 0)
				die("open", sub, errno);
			copy_dir(f, t, sub);
			close(f);
			close(t);
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			if (mknodat(to, name, st.st_mode, st.st_rdev) < 0)
				die("mknod", sub, errno);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(from, name, target, sizeof target - 1);
			if (n < 0)
				die("readlink", sub, errno);
			target[n] = '\0';
			if (symlinkat(target, to, name) < 0)
				die("symlink", sub, errno);
		} else {
			continue;
		}
		if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			die("chown", sub, errno);
	}
	if (errno)
		die("read", path, errno);
	closedir(d);
}

/* A new tmpfs as the template's /dev was mounted (flags, mode, size, source), detached. */
static int new_tmpfs(int old)
{
	struct stat root;
	struct statvfs v;
	if (fstat(old, &root) < 0 || fstatvfs(old, &v) < 0)
		die("stat the template's", "/dev", errno);
	char mode[16], size[32];
	snprintf(mode, sizeof mode, "%o", root.st_mode & 07777);
	snprintf(size, sizeof size, "%llu", (unsigned long long)v.f_blocks * (unsigned long long)v.f_frsize);
	int fc = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC_);
	if (fc < 0 || syscall(SYS_fsconfig, fc, FSCONFIG_SET_STRING_, "source", "tmpfs", 0) < 0 ||
	    syscall(SYS_fsconfig, fc, FSCONFIG_SET_STRING_, "mode", mode, 0) < 0 ||
	    syscall(SYS_fsconfig, fc, FSCONFIG_SET_STRING_, "size", size, 0) < 0 ||
	    syscall(SYS_fsconfig, fc, FSCONFIG_CMD_CREATE_, NULL, NULL, 0) < 0)
		die("create a tmpfs for", "/dev", errno);
	/* MOUNT_ATTR_*: rdonly 1, nosuid 2, nodev 4, noexec 8, noatime 0x10, strictatime 0x20, relatime 0 */
	unsigned attr = (v.f_flag & ST_RDONLY ? 0x1 : 0) | (v.f_flag & ST_NOSUID ? 0x2 : 0) | (v.f_flag & ST_NODEV ? 0x4 : 0) |
			(v.f_flag & ST_NOEXEC ? 0x8 : 0) |
			(v.f_flag & ST_NOATIME ? 0x10 : v.f_flag & ST_RELATIME ? 0 : 0x20);
	int m = (int)syscall(SYS_fsmount, fc, FSMOUNT_CLOEXEC_, attr);
	if (m < 0)
		die("mount a tmpfs for", "/dev", errno);
	close(fc);
	if (fchownat(m, "", root.st_uid, root.st_gid, AT_EMPTY_PATH) < 0)
		die("chown the container's", "/dev", errno);
	return m;
}

void run_fresh_dev(void)
{
	struct statfs fs;
	if (!mount_root(AT_FDCWD, "/dev") || statfs("/dev", &fs) < 0 || fs.f_type != TMPFS_MAGIC)
		return; /* no /dev mount of the spec's: the rootfs's own, shared as on the full path */
	int old = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (old < 0)
		die("open the template's", "/dev", errno);
	int dev = new_tmpfs(old);
	mode_t mask = umask(0); /* modes as the template's nodes have them */
	copy_dir(old, dev, "/dev");
	umask(mask);
	close(old);
	/* The template's /dev leaves our namespace (mountinfo shows one /dev, as on the full path). */
	if (umount2("/dev", MNT_DETACH) < 0)
		die("unmount the template's", "/dev", errno);
	if (syscall(SYS_move_mount, dev, "", AT_FDCWD, "/dev", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die("move the container's tmpfs to", "/dev", errno);
	close(dev);
	for (int i = 0; i < g_nbelow; i++) {
		if (syscall(SYS_move_mount, g_below[i].tree, "", AT_FDCWD, g_below[i].path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			die("move the template's mount to", g_below[i].path, errno);
		close(g_below[i].tree);
	}
	g_nbelow = 0;
}
