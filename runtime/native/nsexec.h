/* The single-threaded namespace stage; see nsexec.c and PROTOCOL.md. */
#ifndef RDMARUN_NSEXEC_H
#define RDMARUN_NSEXEC_H

/* Environment variable naming the init socket fd; its presence turns the constructor on. */
#define RDMARUN_INITSOCK_ENV "_RDMARUN_INITSOCK"

/* 1 in stage 2 (the constructor ran and returned), 0 in an ordinary invocation. */
int rdmarun_nsexec_ran(void);

#endif
