/*
 * launch_guard: removes a `rdmarun launch` rank container when its launcher is SIGKILLed.
 *
 * mpirun gives a rank one second between SIGTERM and SIGKILL (odls_base_sigkill_timeout), and
 * Slurm kills whole process groups: a launcher killed mid-delete cannot clean up after itself.
 * So `launch` spawns this guard (the rdmarun binary again, in its own session) with the read end
 * of a pipe whose write end only the launcher holds. End of file means the launcher is gone,
 * however it ended. If the container's state directory is still there, the guard execs the
 * ordinary `rdmarun --root R delete --force ID` it was given as argv; otherwise it just exits.
 *
 * It runs as a constructor so the .NET runtime never starts in the (usual) case where there is
 * nothing to do: the guard costs one exec and a blocked read per rank. A warm launch
 * (launch_fast.c) forks it instead, without the exec.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "nsexec.h"

#define GUARD_ENV RDMARUN_LAUNCH_GUARD_ENV

void rdmarun_guard_wait_and_delete(const char *dir, char **argv)
{
	char buf[64];
	for (;;) {
		ssize_t n = read(0, buf, sizeof buf);
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	if (access(dir, F_OK) != 0)
		_exit(0); /* the launcher deleted its container: the usual case */
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		close(null);
	}
	unsetenv(GUARD_ENV);
	execv("/proc/self/exe", argv);
	_exit(127);
}

__attribute__((constructor)) static void rdmarun_launch_guard(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)envp;
	const char *dir = getenv(GUARD_ENV);
	if (dir)
		rdmarun_guard_wait_and_delete(dir, argv);
}
