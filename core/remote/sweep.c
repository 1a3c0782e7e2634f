/*
 * Sweeps (sweep.h): parsing the axes, enumerating the runs, drawing their
 * random values and writing each run's command.  The generator is
 * splitmix64, seeded per run from the sweep's seed and the run's index, so
 * run i's values do not depend on how many runs came before it.
 */
#include "remote/sweep.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/util.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum dist { GRID, UNIFORM, LOGUNIFORM, RANDINT, CHOICE };

struct axis {
	char *key;
	enum dist dist;
	char **values; /* GRID, CHOICE */
	size_t nvalues;
	double a, b;   /* UNIFORM, LOGUNIFORM, RANDINT */
};

struct ry_sweep {
	struct axis *axes;
	size_t naxes;
};

ry_sweep *ry_sweep_new(void)
{
	return ry_xcalloc(1, sizeof(ry_sweep));
}

void ry_sweep_free(ry_sweep *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->naxes; i++) {
		free(s->axes[i].key);
		for (size_t k = 0; k < s->axes[i].nvalues; k++)
			free(s->axes[i].values[k]);
		free(s->axes[i].values);
	}
	free(s->axes);
	free(s);
}

/* "KEY=REST": the key (a param name: letters, digits, _ . - /) and REST. */
static int split_key(ry_sweep *s, const char *spec, const char *what, char **key, const char **rest)
{
	const char *eq = strchr(spec, '=');
	size_t kl = eq ? (size_t)(eq - spec) : 0;
	if (!eq || kl == 0 || !eq[1])
		return ry_error_set(RY_EINVAL, "%s '%s': expected KEY=%s", what, spec,
		                    !strcmp(what, "--grid") ? "V1,V2,... (e.g. lr=0.1,0.01)" : "DIST(ARGS) (e.g. wd=loguniform(1e-5,1e-2))");
	for (size_t i = 0; i < kl; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/", spec[i]))
			return ry_error_set(RY_EINVAL, "%s '%s': '%.*s' is not a param name (letters, digits, _ . - /)", what,
			                    spec, (int)kl, spec);
	for (size_t i = 0; i < s->naxes; i++)
		if (strlen(s->axes[i].key) == kl && !strncmp(s->axes[i].key, spec, kl))
			return ry_error_set(RY_EINVAL, "%s '%s': %.*s is already an axis of this sweep", what, spec, (int)kl,
			                    spec);
	*key = ry_xstrndup(spec, kl);
	*rest = eq + 1;
	return 0;
}

/* Split "a,b,c" into trimmed, non-empty words; none is an error. */
static int split_list(const char *p, size_t len, char ***out, size_t *n, const char *spec, const char *what)
{
	ry_split_words(p, len, ',', out, n);
	if (*n == 0)
		return ry_error_set(RY_EINVAL, "%s '%s': no values", what, spec);
	return 0;
}

static struct axis *push(ry_sweep *s, char *key, enum dist d)
{
	struct axis *a;
	s->axes = ry_xrealloc(s->axes, (s->naxes + 1) * sizeof *s->axes);
	a = &s->axes[s->naxes++];
	memset(a, 0, sizeof *a);
	a->key = key;
	a->dist = d;
	return a;
}

int ry_sweep_add_grid(ry_sweep *s, const char *spec)
{
	char *key, **v;
	const char *rest;
	size_t n;
	int rc;
	if ((rc = split_key(s, spec, "--grid", &key, &rest)))
		return rc;
	if ((rc = split_list(rest, strlen(rest), &v, &n, spec, "--grid"))) {
		free(key);
		return rc;
	}
	struct axis *a = push(s, key, GRID);
	a->values = v;
	a->nvalues = n;
	return 0;
}

static int two_numbers(const char *args, size_t len, double *a, double *b)
{
	char **w;
	size_t n;
	bool ok;
	if (split_list(args, len, &w, &n, "", ""))
		return -1;
	ok = n == 2 && ry_parse_number(w[0], a) && ry_parse_number(w[1], b);
	for (size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
	return ok ? 0 : -1;
}

int ry_sweep_add_random(ry_sweep *s, const char *spec)
{
	static const struct { const char *name; enum dist d; } dists[] = {
		{ "uniform", UNIFORM }, { "loguniform", LOGUNIFORM }, { "randint", RANDINT }, { "choice", CHOICE },
	};
	char *key;
	const char *rest, *open, *close;
	size_t nl;
	int rc;
	if ((rc = split_key(s, spec, "--random", &key, &rest)))
		return rc;
	open = strchr(rest, '(');
	close = strrchr(rest, ')');
	nl = open ? (size_t)(open - rest) : 0;
	for (size_t i = 0; open && close > open && !close[1] && i < sizeof dists / sizeof *dists; i++) {
		double a = 0, b = 0;
		struct axis *ax;
		if (strlen(dists[i].name) != nl || strncmp(rest, dists[i].name, nl))
			continue;
		if (dists[i].d == CHOICE) {
			char **v;
			size_t n;
			if ((rc = split_list(open + 1, (size_t)(close - open - 1), &v, &n, spec, "--random"))) {
				free(key);
				return rc;
			}
			ax = push(s, key, CHOICE);
			ax->values = v;
			ax->nvalues = n;
			return 0;
		}
		if (two_numbers(open + 1, (size_t)(close - open - 1), &a, &b) || !(a < b) ||
		    (dists[i].d == LOGUNIFORM && a <= 0) || (dists[i].d == RANDINT && (a != floor(a) || b != floor(b)))) {
			free(key);
			return ry_error_set(RY_EINVAL, "--random '%s': %s takes two numbers LOW,HIGH with LOW < HIGH%s", spec,
			                    dists[i].name,
			                    dists[i].d == LOGUNIFORM ? " and LOW > 0" : dists[i].d == RANDINT ? ", whole" : "");
		}
		ax = push(s, key, dists[i].d);
		ax->a = a;
		ax->b = b;
		return 0;
	}
	free(key);
	return ry_error_set(RY_EINVAL, "--random '%s': expected KEY=uniform(LOW,HIGH), loguniform(LOW,HIGH), "
	                    "randint(LOW,HIGH) or choice(A,B,...)", spec);
}

size_t ry_sweep_count(const ry_sweep *s, int trials)
{
	size_t n = 1;
	for (size_t i = 0; i < s->naxes; i++)
		if (s->axes[i].dist == GRID)
			n *= s->axes[i].nvalues;
	return n * (size_t)(trials > 0 ? trials : 1);
}

char *ry_sweep_describe(const ry_sweep *s, int trials)
{
	ry_buf b = RY_BUF_INIT, sizes = RY_BUF_INIT;
	size_t ngrid = 0, nrand = 0;
	for (size_t i = 0; i < s->naxes; i++) {
		if (s->axes[i].dist != GRID)
			continue;
		ry_buf_printf(&b, "%s%s", ngrid ? " x " : "grid ", s->axes[i].key);
		ry_buf_printf(&sizes, "%s%zu", ngrid ? " x " : "", s->axes[i].nvalues);
		ngrid++;
	}
	if (ngrid)
		ry_buf_printf(&b, " (%s)", ry_buf_cstr(&sizes));
	for (size_t i = 0; i < s->naxes; i++) {
		if (s->axes[i].dist == GRID)
			continue;
		ry_buf_printf(&b, "%s%s", nrand ? ", " : b.len ? "; random " : "random ", s->axes[i].key);
		nrand++;
	}
	if (trials > 1)
		ry_buf_printf(&b, "%s%d trials each", b.len ? "; " : "", trials);
	if (!b.len)
		ry_buf_puts(&b, "one run of the command");
	ry_buf_free(&sizes);
	return ry_buf_detach(&b);
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double unit(uint64_t *x)
{
	return (double)(splitmix(x) >> 11) / 9007199254740992.0; /* [0, 1) */
}

void ry_sweep_values(const ry_sweep *s, int trials, uint64_t seed, size_t i, ry_kv **values, size_t *n)
{
	size_t per = ry_sweep_count(s, 1), g = i % per;
	uint64_t x = seed ^ (0x632BE59BD9B4E019ull * (uint64_t)(i + 1));
	(void)trials;
	*values = ry_xcalloc(s->naxes + 1, sizeof **values);
	*n = s->naxes;
	/* the grid index in mixed radix, the last grid axis fastest */
	for (size_t k = s->naxes; k-- > 0;) {
		const struct axis *a = &s->axes[k];
		if (a->dist != GRID)
			continue;
		(*values)[k].value = ry_xstrdup(a->values[g % a->nvalues]);
		g /= a->nvalues;
	}
	for (size_t k = 0; k < s->naxes; k++) {
		const struct axis *a = &s->axes[k];
		char buf[64];
		(*values)[k].key = ry_xstrdup(a->key);
		if (a->dist == GRID)
			continue;
		double u = unit(&x);
		if (a->dist == UNIFORM)
			snprintf(buf, sizeof buf, "%.4g", a->a + u * (a->b - a->a));
		else if (a->dist == LOGUNIFORM)
			snprintf(buf, sizeof buf, "%.4g", exp(log(a->a) + u * (log(a->b) - log(a->a))));
		else if (a->dist == RANDINT)
			snprintf(buf, sizeof buf, "%.0f", a->a + floor(u * (a->b - a->a + 1)));
		else
			snprintf(buf, sizeof buf, "%s", a->values[(size_t)(u * (double)a->nvalues) % a->nvalues]);
		(*values)[k].value = ry_xstrdup(buf);
	}
}

void ry_sweep_values_free(ry_kv *values, size_t n)
{
	for (size_t i = 0; values && i < n; i++) {
		free(values[i].key);
		free(values[i].value);
	}
	free(values);
}

char **ry_sweep_argv(char *const *argv, const ry_kv *values, size_t n)
{
	size_t argc = 0, k = 0;
	bool *named = ry_xcalloc(n + 1, sizeof *named);
	char **out;
	while (argv[argc])
		argc++;
	out = ry_xcalloc(argc + n + 1, sizeof *out);
	for (size_t i = 0; i < argc; i++) {
		ry_buf b = RY_BUF_INIT;
		for (const char *p = argv[i]; *p;) {
			bool done = false;
			if (*p == '{') {
				for (size_t v = 0; v < n && !done; v++) {
					size_t kl = strlen(values[v].key);
					if (!strncmp(p + 1, values[v].key, kl) && p[1 + kl] == '}') {
						ry_buf_puts(&b, values[v].value);
						named[v] = true;
						p += kl + 2;
						done = true;
					}
				}
			}
			if (!done)
				ry_buf_putc(&b, *p++);
		}
		out[k++] = ry_buf_detach(&b);
		ry_buf_free(&b);
	}
	for (size_t v = 0; v < n; v++)
		if (!named[v])
			out[k++] = ry_xasprintf("--%s=%s", values[v].key, values[v].value);
	free(named);
	return out;
}

void ry_sweep_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}
