/*
 * verbs-probe: exercises rdma cgroup limits from inside a cgroup.
 *
 *   verbs-probe DEVICE contexts N           open N verbs contexts, keep them all open
 *   verbs-probe DEVICE pds N [CURRENT_FILE] open one context, allocate N protection domains,
 *                                           then print CURRENT_FILE (rdma.current) while held
 *
 * One line per attempt: "context 2: errno 11 (Resource temporarily unavailable)" or
 * "pd 1: ok". Exit status: 0 when every attempt succeeded, 1 when one failed (the
 * remaining attempts are skipped), 2 on usage or lookup errors.
 * Built by selftest.sh at test time: gcc -o verbs-probe verbs-probe.c -libverbs
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <infiniband/verbs.h>

static struct ibv_device *find_device(const char *name)
{
    int n = 0;
    struct ibv_device **list = ibv_get_device_list(&n);
    if (!list) {
        fprintf(stderr, "verbs-probe: ibv_get_device_list: %s\n", strerror(errno));
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (strcmp(ibv_get_device_name(list[i]), name) == 0)
            return list[i]; /* the list stays allocated for the process lifetime */
    fprintf(stderr, "verbs-probe: device %s not found (%d devices)\n", name, n);
    return NULL;
}

static void report(const char *what, int i, int ok, int err)
{
    if (ok)
        printf("%s %d: ok\n", what, i);
    else
        printf("%s %d: errno %d (%s)\n", what, i, err, strerror(err));
    fflush(stdout);
}

static void print_file(const char *path)
{
    char buf[512];
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("cannot read %s: %s\n", path, strerror(errno));
        return;
    }
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = 0;
    fclose(f);
    /* the kernel ends the line with a space */
    while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\n'))
        buf[--len] = 0;
    printf("current: %s\n", buf);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: verbs-probe DEVICE contexts|pds N [CURRENT_FILE]\n");
        return 2;
    }
    int n = atoi(argv[3]);
    struct ibv_device *dev = find_device(argv[1]);
    if (!dev)
        return 2;

    if (strcmp(argv[2], "contexts") == 0) {
        for (int i = 1; i <= n; i++) {
            errno = 0;
            struct ibv_context *ctx = ibv_open_device(dev);
            report("context", i, ctx != NULL, errno);
            if (!ctx)
                return 1;
        }
        return 0;
    }
    if (strcmp(argv[2], "pds") == 0) {
        errno = 0;
        struct ibv_context *ctx = ibv_open_device(dev);
        report("context", 1, ctx != NULL, errno);
        if (!ctx)
            return 1;
        for (int i = 1; i <= n; i++) {
            errno = 0;
            struct ibv_pd *pd = ibv_alloc_pd(ctx);
            report("pd", i, pd != NULL, errno);
            if (!pd) {
                if (argc > 4)
                    print_file(argv[4]);
                return 1;
            }
        }
        if (argc > 4)
            print_file(argv[4]);
        return 0;
    }
    fprintf(stderr, "verbs-probe: unknown mode %s\n", argv[2]);
    return 2;
}
