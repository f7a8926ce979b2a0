/*
 * run_dev: a warm `run` container's own /dev (RUN_TEMPLATE.md). The template's /dev tmpfs is one
 * superblock for all its containers: a file one container wrote there, or a /dev/null it removed,
 * would reach every later one (and a missing /dev/null fails every later warm start). So each
 * container stacks a new tmpfs on /dev and copies into it what the full path's init put there:
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

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

static void __attribute__((noreturn)) die(const char *what, const char *path, int err)
{
	dprintf(2, "ERRO[0000] run: %s %s: %s\n", what, path, strerror(err));
	_exit(1);
}

static int mount_root(int dfd, const char *name)
{
	struct statx sx;
	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) < 0)
		return 0;
	return (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* A clone of the mount at from/name (with what is mounted below it) on a placeholder at to/name. */
static void clone_mount(int from, int to, const char *name, const struct stat *st, const char *path)
{
	if (S_ISDIR(st->st_mode) ? mkdirat(to, name, 0755) : mknodat(to, name, S_IFREG | 0600, 0))
		die("create the mount point", path, errno);
	int tree = (int)syscall(SYS_open_tree, from, name, OPEN_TREE_CLONE | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW | O_CLOEXEC);
	if (tree < 0)
		die("clone the template's mount", path, errno);
	if (syscall(SYS_move_mount, tree, "", to, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		die("move the template's mount to", path, errno);
	close(tree);
}

/* Copies directory `from` (the template's /dev or below) into `to` (the container's). */
static void copy_dir(int from, int to, const char *path)
{
	int it = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* `from` may be open_tree's O_PATH fd */
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

void run_fresh_dev(void)
{
	struct statfs fs;
	if (!mount_root(AT_FDCWD, "/dev") || statfs("/dev", &fs) < 0 || fs.f_type != TMPFS_MAGIC)
		return; /* no /dev mount of the spec's: the rootfs's own, shared as on the full path */
	/* A detached copy of the template's /dev to copy from: the original leaves our namespace
	 * (the container's mountinfo shows one /dev, as on the full path). */
	int old = (int)syscall(SYS_open_tree, AT_FDCWD, "/dev", OPEN_TREE_CLONE | AT_RECURSIVE | O_CLOEXEC);
	struct stat root;
	struct statvfs v;
	if (old < 0 || fstat(old, &root) < 0 || fstatvfs(old, &v) < 0)
		die("clone the template's", "/dev", errno);
	if (umount2("/dev", MNT_DETACH) < 0)
		die("unmount the template's", "/dev", errno);
	/* The template's mount flags and size, so the container's /dev is what the spec asked for. */
	unsigned long flags = (v.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (v.f_flag & ST_NODEV ? MS_NODEV : 0) |
			      (v.f_flag & ST_NOEXEC ? MS_NOEXEC : 0) |
			      (v.f_flag & ST_NOATIME ? MS_NOATIME : v.f_flag & ST_RELATIME ? MS_RELATIME : MS_STRICTATIME);
	char data[128];
	snprintf(data, sizeof data, "mode=%o,size=%llu", root.st_mode & 07777,
		 (unsigned long long)v.f_blocks * (unsigned long long)v.f_frsize);
	if (mount("tmpfs", "/dev", "tmpfs", flags, data) < 0)
		die("tmpfs", "/dev", errno);
	int dev = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dev < 0 || fchown(dev, root.st_uid, root.st_gid) < 0)
		die("open the container's", "/dev", errno);
	mode_t mask = umask(0); /* modes as the template's nodes have them */
	copy_dir(old, dev, "/dev");
	umask(mask);
	if ((v.f_flag & ST_RDONLY) && mount(NULL, "/dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, NULL) < 0)
		die("remount read-only", "/dev", errno);
	close(dev);
	close(old);
}
