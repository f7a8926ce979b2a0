/*
 * launch_args: reads just enough of `rdmarun [globals] launch [flags] -- PROG ARGS` for the fast
 * path. Anything it does not know sends the call to .NET, whose parser owns the real rules and
 * error messages: a flag read wrongly here would run a rank with the wrong settings.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <string.h>
#include <unistd.h>

#include "launch_fast.h"

static int value_of(const char *word, const char *flag, const char **out)
{
	size_t n = strlen(flag);
	if (strncmp(word, flag, n) == 0 && word[n] == '=') {
		*out = word + n + 1;
		return 1;
	}
	return 0;
}

/* The global flags before the verb; returns the verb's index, -1 for anything .NET must see. */
static int parse_globals(int argc, char **argv, struct launch_args *a)
{
	a->root = "/run/rdmarun";
	a->bundle = ".";
	a->policy = "/etc/rdmarun/rdma.json";
	a->prog = -1;
	a->id = NULL;
	a->warm = 0;
	a->root_given = 0;
	a->logs = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *w = argv[i];
		if (value_of(w, "--root", &a->root)) {
			a->root_given = 1;
			continue;
		}
		if (value_of(w, "--rdma-policy", &a->policy))
			continue;
		if (value_of(w, "--log", &w) || value_of(w, "--log-format", &w) || strcmp(w, "--debug") == 0) {
			a->logs = 1;
			continue;
		}
		if (strcmp(w, "--warm-run") == 0) {
			a->warm = 1;
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		if (strcmp(w, "--root") == 0) {
			a->root = argv[++i];
			a->root_given = 1;
		} else if (strcmp(w, "--rdma-policy") == 0)
			a->policy = argv[++i];
		else if (strcmp(w, "--log") == 0 || strcmp(w, "--log-format") == 0) {
			i++;
			a->logs = 1;
		}
		else
			return -1; /* --systemd-cgroup, --rootless, --help, ...: .NET */
	}
	a->verb = i;
	return i < argc ? i : -1;
}

/* runc's container id rule (^[\w+-.]+$, not "." or ".."): anything else goes to .NET's error. */
static int valid_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 1024 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("_+-.", *p)))
			return 0;
	return 1;
}

/* -b B, --bundle B, --bundle=B at argv[*i]: 1 (read, *i past it), 0 (not it), -1 (no value). */
static int bundle_flag(int argc, char **argv, int *i, struct launch_args *a)
{
	const char *w = argv[*i];
	if (value_of(w, "--bundle", &a->bundle))
		return 1;
	if (strcmp(w, "-b") != 0 && strcmp(w, "--bundle") != 0)
		return 0;
	if (*i + 1 >= argc)
		return -1;
	a->bundle = argv[++*i];
	return 1;
}

int state_parse_args(int argc, char **argv, struct launch_args *a)
{
	int i = parse_globals(argc, argv, a);
	if (i < 0 || strcmp(argv[i], "state") != 0 || a->logs || i + 2 != argc)
		return -1; /* exactly `state ID`: flags, --help and extra words are .NET's */
	if (argv[i + 1][0] == '-' || !valid_id(argv[i + 1]))
		return -1;
	a->id = argv[i + 1];
	return 0;
}

int run_parse_args(int argc, char **argv, struct launch_args *a)
{
	int i = parse_globals(argc, argv, a);
	if (i < 0 || strcmp(argv[i], "run") != 0 || !a->warm)
		return -1; /* warm runs are opt-in: --warm-run */
	/* Only `run [-b B] ID` (in any order, as .NET's parser takes it): --detach, --console-socket,
	 * --pid-file, --keep ... are .NET's. */
	for (i++; i < argc; i++) {
		const char *w = argv[i];
		int b = bundle_flag(argc, argv, &i, a);
		if (b < 0)
			return -1;
		if (b)
			continue;
		if (w[0] == '-' || a->id || !valid_id(w))
			return -1;
		a->id = w;
	}
	return a->id ? 0 : -1;
}

int launch_parse_args(int argc, char **argv, struct launch_args *a)
{
	int i = parse_globals(argc, argv, a);
	if (i < 0)
		return -1;
	if (strcmp(argv[i], "launch") != 0)
		return -1;
	for (i++; i < argc; i++) {
		const char *w = argv[i];
		if (strcmp(w, "--") == 0)
			break;
		int b = bundle_flag(argc, argv, &i, a);
		if (b < 0)
			return -1;
		if (b)
			continue;
		/* Flags taking a value: skip it, so a value that reads "--" is not the separator. */
		if (strcmp(w, "-e") == 0 || strcmp(w, "--env") == 0 || strcmp(w, "--pass-env") == 0 ||
		    strcmp(w, "--bind") == 0 || strcmp(w, "--pid-ns") == 0) {
			if (i + 1 >= argc)
				return -1;
			i++;
			continue;
		}
		if (strncmp(w, "--env=", 6) == 0 || strncmp(w, "--pass-env=", 11) == 0 || strncmp(w, "--bind=", 7) == 0 ||
		    strcmp(w, "--no-host-tmp") == 0 || strcmp(w, "--no-bind-cwd") == 0 || strcmp(w, "--pid-ns=host") == 0)
			continue;
		return -1; /* --id, --pid-ns private, --drop-templates, --help, unknown */
	}
	if (i + 1 >= argc)
		return -1; /* no program: .NET prints the usage error */
	a->prog = i + 1;
	return 0;
}
