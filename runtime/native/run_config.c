/*
 * run_config: the little of a bundle's config.json a warm `run` needs before .NET starts
 * (RUN_TEMPLATE.md): a hash of everything except process.args and process.env (Slurm rewrites
 * those per step, nothing else), the step's own args and env, the raw annotations object for
 * state.json, and whether root.path is relative. Strict: anything it cannot read exactly makes
 * it give up, and .NET (whose parser owns the real rules and error messages) runs the call.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "launch_fast.h"

struct scan {
	const char *p, *end;
	int depth;
};

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Skips a string (s->p at its opening quote). */
static int skip_string(struct scan *s)
{
	if (s->p >= s->end || *s->p != '"')
		return -1;
	for (s->p++; s->p < s->end; s->p++) {
		if (*s->p == '\\')
			s->p++;
		else if (*s->p == '"') {
			s->p++;
			return 0;
		} else if ((unsigned char)*s->p < 0x20)
			return -1;
	}
	return -1;
}

static int skip_value(struct scan *s)
{
	ws(s);
	if (s->p >= s->end || ++s->depth > 64)
		return -1;
	int rc = 0;
	char c = *s->p;
	if (c == '"')
		rc = skip_string(s);
	else if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		s->p++;
		ws(s);
		if (s->p < s->end && *s->p == close)
			s->p++;
		else
			for (;;) {
				if (c == '{') {
					ws(s);
					if (skip_string(s) < 0)
						return -1;
					ws(s);
					if (s->p >= s->end || *s->p++ != ':')
						return -1;
				}
				if (skip_value(s) < 0)
					return -1;
				ws(s);
				if (s->p < s->end && *s->p == ',') {
					s->p++;
					continue;
				}
				if (s->p < s->end && *s->p == close) {
					s->p++;
					break;
				}
				return -1;
			}
	} else {
		const char *start = s->p; /* number, true, false, null */
		while (s->p < s->end && strchr("+-.0123456789eEtrufalsn", *s->p))
			s->p++;
		rc = s->p > start ? 0 : -1;
	}
	s->depth--;
	return rc;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int hex4(const char *p, const char *end, unsigned *out)
{
	if (end - p < 4)
		return -1;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return 0;
}

/* Decodes the string at s->p (RFC 8259 escapes, UTF-16 pairs to UTF-8); NUL inside: refused. */
static char *read_string(struct scan *s)
{
	const char *start = s->p;
	if (skip_string(s) < 0)
		return NULL;
	char *out = malloc((size_t)(s->p - start) + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *p = start + 1; p < s->p - 1; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		p++;
		const char *simple = strchr("\"\\/bfnrt", *p);
		if (simple && *p) {
			*o++ = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
			continue;
		}
		unsigned cp, lo;
		if (*p != 'u' || hex4(p + 1, s->p, &cp) < 0)
			goto bad;
		p += 4;
		if (cp >= 0xd800 && cp < 0xdc00) {
			if (p[1] != '\\' || p[2] != 'u' || hex4(p + 3, s->p, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
				goto bad;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		} else if (cp >= 0xdc00 && cp < 0xe000)
			goto bad;
		if (cp == 0)
			goto bad; /* execve cannot carry it; .NET says what is wrong */
		if (cp < 0x80)
			*o++ = (char)cp;
		else if (cp < 0x800) {
			*o++ = (char)(0xc0 | cp >> 6);
			*o++ = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			*o++ = (char)(0xe0 | cp >> 12);
			*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
			*o++ = (char)(0x80 | (cp & 0x3f));
		} else {
			*o++ = (char)(0xf0 | cp >> 18);
			*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
			*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
			*o++ = (char)(0x80 | (cp & 0x3f));
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* An array of strings into a NULL-terminated vector. */
static char **read_string_array(struct scan *s)
{
	ws(s);
	if (s->p >= s->end || *s->p != '[')
		return NULL;
	s->p++;
	size_t n = 0, cap = 16;
	char **v = malloc(cap * sizeof *v);
	ws(s);
	if (v && s->p < s->end && *s->p == ']') {
		s->p++;
		v[0] = NULL;
		return v;
	}
	while (v) {
		ws(s);
		char *str = read_string(s);
		if (!str)
			break;
		if (n + 2 > cap) {
			char **w = realloc(v, (cap *= 2) * sizeof *v);
			if (!w) {
				free(str);
				break;
			}
			v = w;
		}
		v[n++] = str;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			v[n] = NULL;
			return v;
		}
		break;
	}
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
	return NULL;
}

/* FNV-1a over [from, to). */
static uint64_t mix(uint64_t h, const char *from, const char *to)
{
	for (const char *p = from; p < to; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int key_is(const char *k, const char *name)
{
	return k && strcmp(k, name) == 0;
}

/* The process object: args and env are read and left out of the hash; the rest is hashed. */
static int scan_process(struct scan *s, struct run_config *c, uint64_t *h, const char **hashed)
{
	ws(s);
	if (s->p >= s->end || *s->p != '{')
		return -1;
	s->p++;
	for (;;) {
		ws(s);
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return 0;
		}
		char *k = read_string(s);
		ws(s);
		if (!k || s->p >= s->end || *s->p++ != ':') {
			free(k);
			return -1;
		}
		int args = key_is(k, "args"), env = key_is(k, "env");
		free(k);
		if (args || env) {
			*h = mix(*h, *hashed, s->p); /* up to and including the key */
			char **v = read_string_array(s);
			if (!v || (args && c->args) || (env && c->env))
				return -1; /* duplicate keys: which one .NET uses is its business */
			if (args)
				c->args = v;
			else
				c->env = v;
			*hashed = s->p;
		} else if (skip_value(s) < 0)
			return -1;
		ws(s);
		if (s->p < s->end && *s->p == ',')
			s->p++;
		else if (!(s->p < s->end && *s->p == '}'))
			return -1;
	}
}

int run_config_scan(const char *json, size_t len, struct run_config *c)
{
	memset(c, 0, sizeof *c);
	struct scan s = {json, json + len, 0};
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *hashed = json;
	ws(&s);
	if (s.p >= s.end || *s.p++ != '{')
		return -1;
	int have_process = 0, have_root = 0;
	for (;;) {
		ws(&s);
		if (s.p < s.end && *s.p == '}') {
			s.p++;
			break;
		}
		char *k = read_string(&s);
		ws(&s);
		if (!k || s.p >= s.end || *s.p++ != ':') {
			free(k);
			return -1;
		}
		if (key_is(k, "process")) {
			free(k);
			if (have_process++ || scan_process(&s, c, &h, &hashed) < 0)
				return -1;
		} else if (key_is(k, "annotations")) {
			free(k);
			ws(&s);
			const char *from = s.p;
			if (c->annotations || skip_value(&s) < 0 || *from != '{')
				return -1;
			c->annotations = strndup(from, (size_t)(s.p - from));
		} else if (key_is(k, "root")) {
			free(k);
			ws(&s);
			const char *from = s.p;
			if (have_root++ || skip_value(&s) < 0)
				return -1;
			/* "path" first or later: a relative root makes the bundle dir part of the key. */
			struct scan r = {from, s.p, 0};
			ws(&r);
			if (r.p < r.end && *r.p == '{')
				for (r.p++;;) {
					ws(&r);
					char *rk = read_string(&r);
					ws(&r);
					if (!rk || r.p >= r.end || *r.p++ != ':') {
						free(rk);
						break;
					}
					ws(&r);
					if (key_is(rk, "path")) {
						char *path = read_string(&r);
						c->relative_root = !path || path[0] != '/';
						free(path);
						free(rk);
						break;
					}
					free(rk);
					if (skip_value(&r) < 0)
						break;
					ws(&r);
					if (r.p < r.end && *r.p == ',')
						r.p++;
					else
						break;
				}
		} else {
			free(k);
			if (skip_value(&s) < 0)
				return -1;
		}
		ws(&s);
		if (s.p < s.end && *s.p == ',')
			s.p++;
		else if (!(s.p < s.end && *s.p == '}'))
			return -1;
	}
	ws(&s);
	if (s.p != s.end || !c->args || !c->args[0] || !have_root)
		return -1;
	/* What the spec validation refuses (ProcessRules): .NET says so, a warm start must not run it. */
	if (!c->args[0][0])
		return -1;
	for (char **e = c->env; e && *e; e++)
		if (!strchr(*e, '=') || **e == '=')
			return -1;
	h = mix(h, hashed, s.end);
	/* The RDMA grant reads these from process.env (RdmaRequestParser): they shape the container. */
	for (char **e = c->env; e && *e; e++)
		if (strncmp(*e, "RDMA_VISIBLE_DEVICES=", 21) == 0 || strncmp(*e, "RDMA_PKEYS=", 11) == 0)
			h = mix(h, *e, *e + strlen(*e) + 1);
	c->hash = h;
	if (!c->env) {
		c->env = calloc(1, sizeof *c->env);
		if (!c->env)
			return -1;
	}
	return 0;
}
