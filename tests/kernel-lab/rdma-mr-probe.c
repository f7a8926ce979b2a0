/*
 * rdma-mr-probe DEVICE MIB: registers one MIB-MiB memory region on DEVICE and prints
 * "mr N MiB: ok" or "mr N MiB: errno E (text)", then "memlock soft S hard H" (RLIMIT_MEMLOCK).
 * Exit 0 when the registration worked, 1 when it failed, 2 on usage or lookup errors.
 * Used by rdma-suite.sh: ibv_reg_mr pins the pages and fails with ENOMEM above RLIMIT_MEMLOCK
 * for a process without CAP_IPC_LOCK.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <infiniband/verbs.h>

static void print_limit(void)
{
    struct rlimit r;
    getrlimit(RLIMIT_MEMLOCK, &r);
    if (r.rlim_cur == RLIM_INFINITY) printf("memlock soft unlimited"); else printf("memlock soft %llu", (unsigned long long)r.rlim_cur);
    if (r.rlim_max == RLIM_INFINITY) printf(" hard unlimited\n"); else printf(" hard %llu\n", (unsigned long long)r.rlim_max);
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: rdma-mr-probe DEVICE MIB\n"); return 2; }
    size_t mib = strtoul(argv[2], NULL, 10), len = mib << 20;
    int n = 0;
    struct ibv_device **list = ibv_get_device_list(&n), *dev = NULL;
    for (int i = 0; list && i < n; i++)
        if (strcmp(ibv_get_device_name(list[i]), argv[1]) == 0) dev = list[i];
    if (!dev) { fprintf(stderr, "rdma-mr-probe: device %s not found (%d devices)\n", argv[1], n); return 2; }
    struct ibv_context *ctx = ibv_open_device(dev);
    if (!ctx) { fprintf(stderr, "rdma-mr-probe: ibv_open_device: %s\n", strerror(errno)); return 2; }
    struct ibv_pd *pd = ibv_alloc_pd(ctx);
    if (!pd) { fprintf(stderr, "rdma-mr-probe: ibv_alloc_pd: %s\n", strerror(errno)); return 2; }
    void *buf = NULL;
    if (posix_memalign(&buf, 4096, len)) { fprintf(stderr, "rdma-mr-probe: no memory\n"); return 2; }
    memset(buf, 1, len);
    struct ibv_mr *mr = ibv_reg_mr(pd, buf, len, IBV_ACCESS_LOCAL_WRITE);
    int err = errno;
    if (mr) printf("mr %zu MiB: ok\n", mib); else printf("mr %zu MiB: errno %d (%s)\n", mib, err, strerror(err));
    print_limit();
    return mr ? 0 : 1;
}
