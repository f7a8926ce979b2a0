/*
 * rdmarun's minimal PID-1 reaper, for containers that host daemons (mpirun's orted started by
 * `rdmarun rsh`): it starts the container's process, forwards every signal to it, reaps every
 * orphan so no zombie is left, and exits with the process's status.
 *
 * Opt-in by the annotation org.rdmarun.init=reaper. The init execs this image from a sealed
 * memfd (nothing is written to or loaded from the container's filesystem), so it must be a
 * static binary without libc: the container's ld.so and libc are never used, and an attacker
 * in the container cannot replace it. Built with -nostdlib; x86-64 Linux system calls only.
 *
 * argv: rdmarun-reaper PATH ARGV0 [ARGS...]   (PATH already resolved by the init)
 */
#if !defined(__x86_64__)
#error "the reaper is written for x86-64"
#endif

#define SYS_write 1
#define SYS_rt_sigprocmask 14
#define SYS_ioctl 16
#define SYS_getpid 39
#define SYS_fork 57
#define SYS_execve 59
#define SYS_wait4 61
#define SYS_kill 62
#define SYS_setpgid 109
#define SYS_rt_sigtimedwait 128
#define SYS_prctl 157
#define SYS_exit_group 231

#define SIG_BLOCK 0
#define SIG_SETMASK 2
#define SIGCHLD 17
#define WNOHANG 1
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define PR_SET_CHILD_SUBREAPER 36

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define sys(n, a, b, c, d) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static unsigned long len(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

static void say(const char *a, const char *b)
{
	sys(SYS_write, 2, a, len(a), 0);
	sys(SYS_write, 2, b, len(b), 0);
	sys(SYS_write, 2, "\n", 1, 0);
}

static __attribute__((noreturn)) void leave(int code)
{
	for (;;)
		sys(SYS_exit_group, code, 0, 0, 0);
}

/* Runs in the child: own process group (terminal signals reach the program, not us twice). */
static __attribute__((noreturn)) void start_program(char **argv, char **envp, unsigned long *oldmask)
{
	int pgrp;
	sys(SYS_setpgid, 0, 0, 0, 0);
	/* With a terminal, make our group the foreground one; SIGTTOU is still blocked here. */
	if (sys(SYS_ioctl, 0, TIOCGPGRP, &pgrp, 0) == 0) {
		int me = (int)sys(SYS_getpid, 0, 0, 0, 0);
		sys(SYS_ioctl, 0, TIOCSPGRP, &me, 0);
	}
	sys(SYS_rt_sigprocmask, SIG_SETMASK, oldmask, 0, 8);
	long e = sys(SYS_execve, argv[1], argv + 2, envp, 0);
	say("rdmarun reaper: exec failed: ", argv[1]);
	leave(e == -2 /* ENOENT */ ? 127 : 126);
}

__attribute__((used)) void reaper_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	if (argc < 3) {
		say("usage: rdmarun-reaper PATH ARGV0 [ARGS...]", "");
		leave(127);
	}
	/* Orphans of a container without its own PID namespace come to us too. */
	sys(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0);

	/* Every signal blocked and taken with sigtimedwait: blocked signals reach even a PID 1. */
	unsigned long all = ~0UL, old = 0;
	sys(SYS_rt_sigprocmask, SIG_BLOCK, &all, &old, 8);
	long child = sys(SYS_fork, 0, 0, 0, 0);
	if (child < 0) {
		say("rdmarun reaper: fork failed", "");
		leave(126);
	}
	if (child == 0)
		start_program(argv, envp, &old);

	for (;;) {
		unsigned char info[128];
		long sig = sys(SYS_rt_sigtimedwait, &all, info, 0, 8);
		if (sig < 0)
			continue; /* EINTR */
		if (sig != SIGCHLD) {
			sys(SYS_kill, child, sig, 0, 0);
			continue;
		}
		for (;;) {
			int status = 0;
			long pid = sys6(SYS_wait4, -1, (long)&status, WNOHANG, 0, 0, 0);
			if (pid <= 0)
				break;
			if (pid == child) {
				int term = status & 0x7f;
				leave(term == 0 ? (status >> 8) & 0xff : 128 + term);
			}
		}
	}
}

__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	xor %rbp, %rbp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call reaper_main\n"
	"	hlt\n");
