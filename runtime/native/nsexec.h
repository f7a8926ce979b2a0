/* The single-threaded namespace stage; see nsexec.c and PROTOCOL.md. */
#ifndef RDMARUN_NSEXEC_H
#define RDMARUN_NSEXEC_H

/* Environment variable naming the init socket fd; its presence turns the constructor on. */
#define RDMARUN_INITSOCK_ENV "_RDMARUN_INITSOCK"

/* Set in the launch guard (launch_guard.c), which normally exits before the runtime starts. */
#define RDMARUN_LAUNCH_GUARD_ENV "_RDMARUN_LAUNCH_GUARD"

/* The launch guard's wait: end of file on fd 0, then `argv` (delete --force) if dir still exists. */
void rdmarun_guard_wait_and_delete(const char *dir, char **argv) __attribute__((noreturn));

/* Maps the image's zero-filled data in one call before the runtime expands into it (prefault.c). */
void rdmarun_prefault_image(void);

/* 1 in stage 2 (the constructor ran and returned), 0 in an ordinary invocation. */
int rdmarun_nsexec_ran(void);

#endif
