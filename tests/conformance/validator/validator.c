/*
 * validator: runs as the container process and prints what it sees as
 * key=value lines, so the harness can compare facts with the config.
 *
 * Built statically at test time (gcc -static -O2) because the busybox rootfs
 * has no libc.  Values never contain raw newlines: '\n' is written as "\n"
 * and '\\' as "\\", so one line is always one fact.
 *
 * Usage: /validator [quiet] [command...]
 *   quiet            skip the default facts (identity, caps, ns, mounts...)
 *   stat=PATH        stat.PATH=<type> <major> <minor> <mode octal> <uid> <gid>
 *   readlink=PATH    readlink.PATH=<target>
 *   read=PATH        read.PATH=ok:<bytes read> | err:<errno name>
 *   write=PATH:VAL   write.PATH=ok | err:<errno name>
 *   touch=PATH       touch.PATH=ok | err:<errno name>   (creates a file)
 *   mkdir=PATH       mkdir.PATH=ok | err:<errno name>   (a syscall seccomp cases can block)
 *   cat=PATH         cat.PATH=<content, escaped>
 *   sysctl=NAME      sysctl.NAME=<value of /proc/sys/NAME with dots as slashes>
 *   fd=N             fd.N=<readlink of /proc/self/fd/N>|<first line> | err:...
 *   echo=TEXT        prints TEXT on a line of its own (console tests)
 *   wait-file=PATH   blocks until PATH exists (lets the harness decide when we exit)
 *   pause            waits for signals forever; prints signal=N for each,
 *                    exits 128+N on SIGTERM/SIGINT/SIGHUP (pid 1 ignores
 *                    signals it has no handler for, so we need handlers)
 *   exit=N           exits with status N
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

extern char **environ;

static void put_escaped(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\\')
            fputs("\\\\", stdout);
        else if (c == '\0')
            fputs("\\0", stdout);
        else
            putchar(c);
    }
}

static void fact(const char *key, const char *value)
{
    printf("%s=", key);
    put_escaped(value, strlen(value));
    putchar('\n');
}

static void factf(const char *key, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void factf(const char *key, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fact(key, buf);
}

static const char *errname(int e)
{
    switch (e) {
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EROFS: return "EROFS";
    case ENOENT: return "ENOENT";
    case EISDIR: return "EISDIR";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EIO: return "EIO";
    case ENOTDIR: return "ENOTDIR";
    case ENXIO: return "ENXIO";
    default: return strerror(e);
    }
}

/* Reads a whole small file; returns bytes read or -errno. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (n == 0 || len + n >= cap - 1) {
            len += n;
            break;
        }
        len += n;
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

static void trim_newline(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
}

static void status_fields(void)
{
    static char buf[16384];
    if (slurp("/proc/self/status", buf, sizeof buf) < 0)
        return;
    static const struct { const char *field, *key; } map[] = {
        { "CapInh:", "cap.inh" }, { "CapPrm:", "cap.prm" }, { "CapEff:", "cap.eff" },
        { "CapBnd:", "cap.bnd" }, { "CapAmb:", "cap.amb" }, { "NoNewPrivs:", "no_new_privs" },
        { "Seccomp:", "seccomp" },
    };
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
            size_t n = strlen(map[i].field);
            if (strncmp(line, map[i].field, n) == 0) {
                char *v = line + n;
                while (*v == ' ' || *v == '\t')
                    v++;
                fact(map[i].key, v);
            }
        }
    }
}

static void identity(void)
{
    factf("pid", "%d", (int)getpid());
    factf("ppid", "%d", (int)getppid());
    factf("uid", "%u", (unsigned)getuid());
    factf("euid", "%u", (unsigned)geteuid());
    factf("gid", "%u", (unsigned)getgid());
    factf("egid", "%u", (unsigned)getegid());

    gid_t groups[256];
    int n = getgroups(256, groups);
    char buf[4096] = "";
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof buf - 16; i++)
        len += snprintf(buf + len, sizeof buf - len, "%s%u", i ? "," : "", (unsigned)groups[i]);
    fact("groups", buf);

    mode_t m = umask(0);
    umask(m);
    factf("umask", "%04o", (unsigned)m);

    char cwd[4096];
    fact("cwd", getcwd(cwd, sizeof cwd) ? cwd : "?");

    struct utsname u;
    if (uname(&u) == 0) {
        fact("hostname", u.nodename);
        fact("domainname", u.domainname);
    }
}

static void rlimits(void)
{
    static const struct { int res; const char *name; } map[] = {
        { RLIMIT_NOFILE, "NOFILE" }, { RLIMIT_NPROC, "NPROC" }, { RLIMIT_CORE, "CORE" },
        { RLIMIT_STACK, "STACK" }, { RLIMIT_MEMLOCK, "MEMLOCK" }, { RLIMIT_AS, "AS" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        struct rlimit r;
        if (getrlimit(map[i].res, &r) != 0)
            continue;
        char key[64];
        snprintf(key, sizeof key, "rlimit.%s", map[i].name);
        char cur[32], max[32];
        if (r.rlim_cur == RLIM_INFINITY) strcpy(cur, "unlimited"); else snprintf(cur, sizeof cur, "%llu", (unsigned long long)r.rlim_cur);
        if (r.rlim_max == RLIM_INFINITY) strcpy(max, "unlimited"); else snprintf(max, sizeof max, "%llu", (unsigned long long)r.rlim_max);
        factf(key, "%s %s", cur, max);
    }
}

static void namespaces(void)
{
    static const char *names[] = { "cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[64], target[256], key[64];
        snprintf(path, sizeof path, "/proc/self/ns/%s", names[i]);
        snprintf(key, sizeof key, "ns.%s", names[i]);
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n < 0)
            continue;
        target[n] = '\0';
        fact(key, target);
    }
}

static void file_fact(const char *key, const char *path)
{
    static char buf[65536];
    ssize_t n = slurp(path, buf, sizeof buf);
    if (n < 0) {
        factf(key, "err:%s", errname((int)-n));
        return;
    }
    trim_newline(buf);
    fact(key, buf);
}

static void lines_fact(const char *key, const char *path)
{
    static char buf[262144];
    if (slurp(path, buf, sizeof buf) < 0)
        return;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        fact(key, line);
}

static void defaults(void)
{
    identity();
    status_fields();
    rlimits();
    namespaces();
    file_fact("oom_score_adj", "/proc/self/oom_score_adj");
    file_fact("uid_map", "/proc/self/uid_map");
    file_fact("gid_map", "/proc/self/gid_map");
    file_fact("setgroups", "/proc/self/setgroups");
    lines_fact("cgroup", "/proc/self/cgroup");
    lines_fact("mount", "/proc/self/mountinfo");
    for (char **e = environ; *e; e++)
        fact("env", *e);
}

static void cmd_stat(const char *path)
{
    char key[4200];
    snprintf(key, sizeof key, "stat.%s", path);
    struct stat st;
    if (lstat(path, &st) != 0) {
        factf(key, "err:%s", errname(errno));
        return;
    }
    const char *type = S_ISCHR(st.st_mode) ? "c" : S_ISBLK(st.st_mode) ? "b" : S_ISDIR(st.st_mode) ? "d"
        : S_ISLNK(st.st_mode) ? "l" : S_ISFIFO(st.st_mode) ? "p" : S_ISSOCK(st.st_mode) ? "s" : "f";
    factf(key, "%s %u %u %04o %u %u", type, major(st.st_rdev), minor(st.st_rdev),
          (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid);
}

static void cmd_readlink(const char *path)
{
    char key[4200], target[4096];
    snprintf(key, sizeof key, "readlink.%s", path);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0) {
        factf(key, "err:%s", errname(errno));
        return;
    }
    target[n] = '\0';
    fact(key, target);
}

static void cmd_read(const char *path)
{
    char key[4200];
    static char buf[1 << 16];
    snprintf(key, sizeof key, "read.%s", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        factf(key, "err:%s", errname(errno));
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    int e = errno;
    close(fd);
    if (n < 0)
        factf(key, "err:%s", errname(e));
    else
        factf(key, "ok:%zd", n);
}

static void cmd_write(const char *arg)
{
    char path[4096], key[4200];
    const char *colon = strrchr(arg, ':');
    const char *value = colon ? colon + 1 : "1";
    size_t plen = colon ? (size_t)(colon - arg) : strlen(arg);
    if (plen >= sizeof path)
        plen = sizeof path - 1;
    memcpy(path, arg, plen);
    path[plen] = '\0';
    snprintf(key, sizeof key, "write.%s", path);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        factf(key, "err:%s", errname(errno));
        return;
    }
    ssize_t n = write(fd, value, strlen(value));
    int e = errno;
    close(fd);
    if (n < 0)
        factf(key, "err:%s", errname(e));
    else
        fact(key, "ok");
}

static void cmd_touch(const char *path)
{
    char key[4200];
    snprintf(key, sizeof key, "touch.%s", path);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        factf(key, "err:%s", errname(errno));
        return;
    }
    close(fd);
    fact(key, "ok");
}

static void cmd_mkdir(const char *path)
{
    char key[4200];
    snprintf(key, sizeof key, "mkdir.%s", path);
    if (mkdir(path, 0755) != 0)
        factf(key, "err:%s", errname(errno));
    else
        fact(key, "ok");
}

static void cmd_fd(const char *num)
{
    char key[64], path[64], target[4096], line[4096];
    snprintf(key, sizeof key, "fd.%s", num);
    snprintf(path, sizeof path, "/proc/self/fd/%s", num);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0) {
        factf(key, "err:%s", errname(errno));
        return;
    }
    target[n] = '\0';
    int fd = atoi(num);
    ssize_t r = pread(fd, line, sizeof line - 1, 0);
    line[r > 0 ? r : 0] = '\0';
    trim_newline(line);
    factf(key, "%s|%s", target, line);
}

static volatile sig_atomic_t last_signal;

static void on_signal(int sig)
{
    last_signal = sig;
}

static void cmd_pause(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    for (int s = 1; s < 32; s++)
        if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD)
            sigaction(s, &sa, NULL);
    fact("paused", "1");
    fflush(stdout);
    for (;;) {
        pause();
        int s = last_signal;
        if (s == 0)
            continue;
        last_signal = 0;
        factf("signal", "%d", s);
        fflush(stdout);
        if (s == SIGTERM || s == SIGINT || s == SIGHUP)
            exit(128 + s);
    }
}

static void cmd_wait_file(const char *path)
{
    struct stat st;
    while (stat(path, &st) != 0)
        usleep(20000);
}

int main(int argc, char **argv)
{
    int quiet = argc > 1 && strcmp(argv[1], "quiet") == 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!quiet)
        defaults();
    for (int i = quiet ? 2 : 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "stat=", 5) == 0) cmd_stat(a + 5);
        else if (strncmp(a, "readlink=", 9) == 0) cmd_readlink(a + 9);
        else if (strncmp(a, "read=", 5) == 0) cmd_read(a + 5);
        else if (strncmp(a, "write=", 6) == 0) cmd_write(a + 6);
        else if (strncmp(a, "touch=", 6) == 0) cmd_touch(a + 6);
        else if (strncmp(a, "mkdir=", 6) == 0) cmd_mkdir(a + 6);
        else if (strncmp(a, "cat=", 4) == 0) {
            char key[4200];
            snprintf(key, sizeof key, "cat.%s", a + 4);
            file_fact(key, a + 4);
        } else if (strncmp(a, "sysctl=", 7) == 0) {
            char path[4200], key[4200];
            snprintf(path, sizeof path, "/proc/sys/%s", a + 7);
            for (char *p = path + 10; *p; p++)
                if (*p == '.')
                    *p = '/';
            snprintf(key, sizeof key, "sysctl.%s", a + 7);
            file_fact(key, path);
        } else if (strncmp(a, "fd=", 3) == 0) cmd_fd(a + 3);
        else if (strncmp(a, "echo=", 5) == 0) puts(a + 5);
        else if (strncmp(a, "wait-file=", 10) == 0) cmd_wait_file(a + 10);
        else if (strcmp(a, "pause") == 0) cmd_pause();
        else if (strncmp(a, "exit=", 5) == 0) {
            fflush(stdout);
            exit(atoi(a + 5));
        } else {
            fprintf(stderr, "validator: unknown command %s\n", a);
            return 2;
        }
    }
    fact("done", "1");
    return 0;
}
