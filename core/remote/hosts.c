/*
 * Host inventory and probe (see hosts.h).  Merging sources, the probe
 * script, parsing its sectioned output and the thread-per-host fan-out live
 * here.  It does not launch anything and never writes to the workspace.
 */
#include "remote/hosts.h"
#include "remote/lease.h"
#include "remote/simulated.h"
#include "remote/slurm.h"
#include "base/config.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/shell.h"
#include "store/store_internal.h"
#include "base/util.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- inventory --------------------------------------------------------- */

static ry_host *get_or_add(ry_host **hosts, size_t *n, size_t *cap, const char *name, const char *origin)
{
	ry_host *h;
	for (size_t i = 0; i < *n; i++) {
		h = &(*hosts)[i];
		if (!strcmp(h->name, name)) {
			if (!strstr(h->origin, origin)) {
				char *o = ry_xasprintf("%s+%s", h->origin, origin);
				free(h->origin);
				h->origin = o;
			}
			return h;
		}
	}
	*hosts = ry_xgrow(*hosts, cap, *n + 1, sizeof **hosts);
	h = &(*hosts)[(*n)++];
	memset(h, 0, sizeof *h);
	h->name = ry_xstrdup(name);
	h->origin = ry_xstrdup(origin);
	h->mem_avail_kb = h->disk_free_kb = -1;
	return h;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v && *v ? ry_xstrdup(v) : NULL;
}

static int number(const char *v, const char *host, const char *key, double *out)
{
	if (!v)
		return 0;
	if (!ry_parse_number(v, out) || *out < 0)
		return ry_error_set(RY_EINVAL, "config: [host %s] %s = '%s' is not a non-negative number; fix "
		                    "your runyard config", host, key, v);
	return 0;
}

static int cmp_host(const void *a, const void *b)
{
	return strcmp(((const ry_host *)a)->name, ((const ry_host *)b)->name);
}

int ry_hosts_list(ry_host **out, size_t *nout, const ry_config *cfg, const ry_sshconfig *sshcfg, ry_store *st)
{
	ry_host *hosts = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < ry_sshconfig_nhosts(sshcfg); i++)
		get_or_add(&hosts, &n, &cap, ry_sshconfig_host(sshcfg, i), "ssh");
	if (st) {
		sqlite3_stmt *s = ry_store__stmt(st, "SELECT name, ssh_alias, price_per_hour, gpu_price_per_hour, "
		                                     "labels, max_gpus, workdir, simulated FROM hosts ORDER BY name");
		while (sqlite3_step(s) == SQLITE_ROW) {
			ry_host *h = get_or_add(&hosts, &n, &cap, (const char *)sqlite3_column_text(s, 0), "workspace");
			set_str(&h->ssh_alias, (const char *)sqlite3_column_text(s, 1));
			h->price_per_hour = sqlite3_column_double(s, 2);
			h->gpu_price_per_hour = sqlite3_column_double(s, 3);
			set_str(&h->labels, (const char *)sqlite3_column_text(s, 4));
			h->max_gpus = sqlite3_column_int(s, 5);
			set_str(&h->workdir, (const char *)sqlite3_column_text(s, 6));
			h->simulated = sqlite3_column_int(s, 7) != 0;
		}
		sqlite3_reset(s);
	}
	for (size_t i = 0; cfg && i < ry_config_nsections(cfg); i++) {
		const char *sec = ry_config_section(cfg, i), *v;
		ry_host *h;
		if (strncmp(sec, "host ", 5) != 0)
			continue;
		h = get_or_add(&hosts, &n, &cap, sec + 5, "config");
		if ((rc = number(ry_config_get(cfg, sec, "price_per_hour"), sec + 5, "price_per_hour", &h->price_per_hour)) ||
		    (rc = number(ry_config_get(cfg, sec, "gpu_price_per_hour"), sec + 5, "gpu_price_per_hour",
		                 &h->gpu_price_per_hour)))
			break;
		if ((v = ry_config_get(cfg, sec, "max_gpus"))) {
			double d;
			if (!ry_parse_number(v, &d) || d < 0 || d != floor(d)) {
				rc = ry_error_set(RY_EINVAL, "config: [host %s] max_gpus = '%s' is not a whole number",
				                  sec + 5, v);
				break;
			}
			h->max_gpus = (int)d;
		}
		if ((v = ry_config_get(cfg, sec, "labels")))
			set_str(&h->labels, v);
		if ((v = ry_config_get(cfg, sec, "workdir")))
			set_str(&h->workdir, v);
		if ((v = ry_config_get(cfg, sec, "lease_dir")))
			set_str(&h->lease_dir, v);
		if ((v = ry_config_get(cfg, sec, "ssh_alias")))
			set_str(&h->ssh_alias, v);
		if ((rc = ry_slurm__host_config(h, cfg, sec)))
			break;
	}
	if (rc) {
		ry_hosts_free(hosts, n);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		if (!hosts[i].ssh_alias)
			hosts[i].ssh_alias = ry_xstrdup(hosts[i].name);
		if (!hosts[i].workdir)
			hosts[i].workdir = ry_xstrdup(RY_HOSTS_DEFAULT_WORKDIR);
		if (!hosts[i].lease_dir)
			hosts[i].lease_dir = ry_xstrdup(RY_LEASE_DEFAULT_DIR);
		/* built now, while the store is at hand: a probe thread has none */
		if (hosts[i].simulated)
			hosts[i].canned_probe = ry_simulated__probe_text(&hosts[i], st);
	}
	if (n)
		qsort(hosts, n, sizeof *hosts, cmp_host);
	*out = hosts;
	*nout = n;
	return 0;
}

static void clear_probe(ry_host *h)
{
	for (size_t i = 0; i < h->ngpus; i++) {
		free(h->gpus[i].uuid);
		free(h->gpus[i].name);
		free(h->gpus[i].users);
		free(h->gpus[i].lease_run);
		free(h->gpus[i].lease_user);
	}
	free(h->gpus);
	h->gpus = NULL;
	h->ngpus = 0;
	free(h->error);
	free(h->gpu_error);
	h->error = h->gpu_error = NULL;
	h->probed = h->has_nvidia = false;
	h->probe_rc = 0;
	h->fail = RY_SSH_OK;
	h->ncpu = 0;
	h->load1 = h->load5 = h->load15 = 0;
	h->mem_avail_kb = h->disk_free_kb = -1;
	ry_slurm__clear_probe(h);
}

static void host_clear(ry_host *h)
{
	clear_probe(h);
	free(h->name);
	free(h->ssh_alias);
	free(h->origin);
	free(h->labels);
	free(h->workdir);
	free(h->lease_dir);
	free(h->canned_probe);
	ry_slurm__clear_config(h);
}

void ry_hosts_free(ry_host *hosts, size_t n)
{
	for (size_t i = 0; hosts && i < n; i++)
		host_clear(&hosts[i]);
	free(hosts);
}

ry_host *ry_hosts_find(ry_host *hosts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(hosts[i].name, name))
			return &hosts[i];
	return NULL;
}

ry_host *ry_host_copy(const ry_host *h)
{
	ry_host *c = ry_xmalloc(sizeof *c);
	*c = *h;
	c->name = ry_xstrdup(h->name);
	c->ssh_alias = ry_xstrdup(h->ssh_alias);
	c->origin = ry_xstrdup(h->origin);
	c->labels = ry_xstrdup(h->labels);
	c->workdir = ry_xstrdup(h->workdir);
	c->lease_dir = ry_xstrdup(h->lease_dir);
	c->canned_probe = ry_xstrdup(h->canned_probe);
	c->error = ry_xstrdup(h->error);
	c->gpu_error = ry_xstrdup(h->gpu_error);
	c->gpus = h->ngpus ? ry_xcalloc(h->ngpus, sizeof *c->gpus) : NULL;
	for (size_t i = 0; i < h->ngpus; i++) {
		c->gpus[i] = h->gpus[i];
		c->gpus[i].uuid = ry_xstrdup(h->gpus[i].uuid);
		c->gpus[i].name = ry_xstrdup(h->gpus[i].name);
		c->gpus[i].users = ry_xstrdup(h->gpus[i].users);
		c->gpus[i].lease_run = ry_xstrdup(h->gpus[i].lease_run);
		c->gpus[i].lease_user = ry_xstrdup(h->gpus[i].lease_user);
	}
	ry_slurm__copy(c, h);
	return c;
}

void ry_host_free(ry_host *h)
{
	if (!h)
		return;
	host_clear(h);
	free(h);
}

/* ---- the probe script and its output ------------------------------------ */

/* POSIX sh, run as `sh -c SCRIPT sh WORKDIR` so the user's login shell
 * (fish, csh...) does not matter and the workdir arrives as $1, never
 * spliced into the text. */
static const char probe_script[] =
	"W=$1; case $W in '~') W=$HOME;; '~/'*) W=$HOME/${W#\\~/};; esac\n"
	RY_LEASE_SH
	"T=; command -v timeout >/dev/null 2>&1 && T='timeout 20'\n"
	"if command -v nvidia-smi >/dev/null 2>&1; then\n"
	"  echo @@gpu\n"
	"  $T nvidia-smi --query-gpu=index,uuid,name,memory.used,memory.total,utilization.gpu"
	" --format=csv,noheader,nounits 2>&1; echo \"@@gpurc $?\"\n"
	"  echo @@apps\n"
	"  $T nvidia-smi --query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits 2>/dev/null |\n"
	"  while IFS=', ' read -r u p m; do\n"
	"    case $p in ''|*[!0-9]*) continue;; esac\n"
	"    echo \"$u, $p, $m, $(ps -o user= -p \"$p\" 2>/dev/null)\"\n"
	"  done\n"
	"  echo @@leases\n"
	"  [ -n \"$2\" ] && lease_list \"$2\"\n"
	"else\n"
	"  echo @@nogpu\n"
	"fi\n"
	"echo @@nproc; nproc 2>/dev/null || getconf _NPROCESSORS_ONLN\n"
	"echo @@load; cat /proc/loadavg 2>/dev/null\n"
	"echo @@mem; grep '^MemAvailable:' /proc/meminfo 2>/dev/null\n"
	"echo @@df; d=$W; while [ ! -e \"$d\" ]; do d=$(dirname \"$d\"); done; df -Pk \"$d\" 2>/dev/null | tail -n 1\n"
	"[ \"$3\" = slurm ] && { " RY_SLURM_PROBE_SH " }\n"
	"echo @@end\n";

static char *trim_dup(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return ry_xstrndup(s, n);
}

/* Split a CSV line of nvidia-smi (", " separated, no quoting) into at most
 * max fields; returns the count.  Fields are owned by the caller.  The last
 * field keeps any further commas, so asking for one field more than a line
 * should have tells a line with too many apart. */
static size_t csv_split(const char *line, char **f, size_t max)
{
	size_t n = 0;
	const char *p = line;
	while (n < max) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (n == max - 1)
			len = strlen(p);
		f[n++] = trim_dup(p, len);
		if (!c || n == max)
			break;
		p = c + 1;
	}
	return n;
}

static double num_or_nan(const char *s)
{
	double v;
	return ry_parse_number(s, &v) ? v : NAN;
}

static void add_user(char **users, const char *u)
{
	size_t ul = strlen(u);
	if (!*u)
		return;
	if (*users) {
		const char *p = *users;
		while ((p = strstr(p, u))) {
			if ((p == *users || p[-1] == ',') && (p[ul] == ',' || p[ul] == '\0'))
				return;
			p += ul;
		}
		char *n = ry_xasprintf("%s,%s", *users, u);
		free(*users);
		*users = n;
	} else {
		*users = ry_xstrdup(u);
	}
}

/* "GPU_UUID RUN_UUID USER": a held lease (lease.h) on one of h's GPUs. */
static void parse_lease(ry_host *h, const char *line)
{
	char gpu[128], run[64], user[64] = "";
	if (sscanf(line, "%127s %63s %63s", gpu, run, user) < 2)
		return;
	for (size_t i = 0; i < h->ngpus; i++) {
		ry_gpu *g = &h->gpus[i];
		if (g->uuid && !strcmp(g->uuid, gpu) && !g->lease_run) {
			g->lease_run = ry_xstrdup(run);
			g->lease_user = *user ? ry_xstrdup(user) : NULL;
		}
	}
}

void ry_host_parse_probe(ry_host *h, const char *out)
{
	const char *p = out;
	char section[16] = "";
	ry_buf gerr = RY_BUF_INIT;
	size_t cap = 0, nbad = 0, badcols = 0;
	char *bad = NULL; /* the first GPU line that is not the 6 columns asked for */

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = ry_xstrndup(p, len);
		p += len + (nl ? 1 : 0);
		if (!strncmp(line, "@@", 2)) {
			if (!strncmp(line, "@@gpurc ", 8)) {
				/* A second failed query (output printed twice, a host
				 * that answers oddly) keeps the first error. */
				if (atoi(line + 8) != 0) {
					h->has_nvidia = false;
					if (!h->gpu_error)
						h->gpu_error = gerr.len ? ry_buf_detach(&gerr) : ry_xstrdup("nvidia-smi failed");
				}
				snprintf(section, sizeof section, "none");
			} else {
				snprintf(section, sizeof section, "%s", line + 2);
				if (!strcmp(section, "gpu"))
					h->has_nvidia = true;
			}
			free(line);
			continue;
		}
		if (!strcmp(section, "gpu")) {
			/* One more than the 6 columns asked for: a line with more is
			 * not a GPU, and neither is one with fewer -- read as one, its
			 * missing memory and utilisation would make it look free. */
			char *f[7] = { 0 };
			size_t nf = csv_split(line, f, 7);
			if (nf == 6 && ry_parse_number(f[0], &(double){ 0 })) {
				ry_gpu *g;
				h->gpus = ry_xgrow(h->gpus, &cap, h->ngpus + 1, sizeof *h->gpus);
				g = &h->gpus[h->ngpus++];
				memset(g, 0, sizeof *g);
				g->index = atoi(f[0]);
				g->uuid = f[1];
				g->name = f[2];
				f[1] = f[2] = NULL;
				g->mem_used = num_or_nan(f[3]);
				g->mem_total = num_or_nan(f[4]);
				g->util = num_or_nan(f[5]);
			} else if (nf > 1) {
				if (!nbad++) {
					bad = ry_xstrdup(line);
					badcols = nf;
				}
			} else if (*line) {
				if (gerr.len)
					ry_buf_putc(&gerr, '\n');
				ry_buf_puts(&gerr, line);
			}
			for (size_t i = 0; i < 7; i++)
				free(f[i]);
		} else if (!strcmp(section, "apps")) {
			char *f[4] = { 0 };
			size_t nf = csv_split(line, f, 4);
			for (size_t i = 0; nf >= 2 && i < h->ngpus; i++) {
				if (!strcmp(h->gpus[i].uuid, f[0])) {
					h->gpus[i].nprocs++;
					if (nf == 4)
						add_user(&h->gpus[i].users, f[3]);
				}
			}
			for (size_t i = 0; i < 4; i++)
				free(f[i]);
		} else if (!strcmp(section, "leases")) {
			parse_lease(h, line);
		} else if (!strcmp(section, "nproc")) {
			if (atoi(line) > 0)
				h->ncpu = atoi(line);
		} else if (!strcmp(section, "load")) {
			sscanf(line, "%lf %lf %lf", &h->load1, &h->load5, &h->load15);
		} else if (!strcmp(section, "mem")) {
			long long kb;
			if (sscanf(line, "MemAvailable: %lld", &kb) == 1)
				h->mem_avail_kb = kb;
		} else if (ry_slurm__probe_line(h, section, line)) {
			/* a Slurm section (slurm.c) */
		} else if (!strcmp(section, "df")) {
			long long total, used, avail;
			char fs[256];
			if (sscanf(line, "%255s %lld %lld %lld", fs, &total, &used, &avail) == 4)
				h->disk_free_kb = avail;
		}
		free(line);
	}
	/* Lines in CSV shape that are not the GPU table: say which host printed
	 * what, rather than count a GPU that may not be free. */
	if (nbad && !h->gpu_error) {
		char cols[16];
		snprintf(cols, sizeof cols, badcols == 7 ? "7 or more" : "%zu", badcols);
		h->gpu_error = ry_xasprintf("%s printed '%.120s': %s columns, not the 6 runyard asks for"
		                            " (index, uuid, name, memory.used, memory.total, utilization.gpu)%s",
		                            h->name ? h->name : "the host", bad, cols,
		                            nbad > 1 ? ", and more lines like it" : "");
	}
	free(bad);
	/* The section ended without @@gpurc: the output was cut short. */
	if (h->has_nvidia && !h->ngpus && !h->gpu_error)
		h->gpu_error = gerr.len ? ry_buf_detach(&gerr) : ry_xstrdup("nvidia-smi printed no GPUs");
	ry_buf_free(&gerr);
}

bool ry_gpu_is_free(const ry_gpu *g)
{
	if (g->lease_run || g->nprocs > 0)
		return false;
	if (!isnan(g->mem_used) && !isnan(g->mem_total) && g->mem_total > 0 && g->mem_used > 0.05 * g->mem_total)
		return false;
	return true;
}

size_t ry_host_free_gpus(const ry_host *h, int *idx, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < h->ngpus && n < max; i++)
		if (ry_gpu_is_free(&h->gpus[i]))
			idx[n++] = h->gpus[i].index;
	return n;
}

/* ---- probing ----------------------------------------------------------- */

int ry_hosts__probe_session(ry_host *h, ry_ssh *s, int timeout_ms)
{
	ry_buf cmd = RY_BUF_INIT, out = RY_BUF_INIT, err = RY_BUF_INIT;
	int rc, status = -1;
	clear_probe(h);
	ry_buf_puts(&cmd, "sh -c ");
	ry_shell_quote(&cmd, probe_script);
	ry_buf_puts(&cmd, " sh ");
	ry_shell_quote(&cmd, h->workdir ? h->workdir : RY_HOSTS_DEFAULT_WORKDIR);
	ry_buf_putc(&cmd, ' ');
	ry_shell_quote(&cmd, h->lease_dir ? h->lease_dir : RY_LEASE_DEFAULT_DIR);
	ry_buf_puts(&cmd, ry_host_is_slurm(h) ? " slurm" : " ssh");
	rc = ry_ssh_exec(s, ry_buf_cstr(&cmd), NULL, 0, &out, &err, &status, timeout_ms);
	if (rc) {
		h->fail = ry_ssh_last_fail(s);
	} else if (!strstr(ry_buf_cstr(&out), "@@end")) {
		h->fail = RY_SSH_PROTOCOL;
		rc = ry_error_set(RY_ERROR, "%s: the probe script failed (exit %d): %.200s", h->name, status,
		                  ry_buf_cstr(&err));
	} else {
		ry_host_parse_probe(h, ry_buf_cstr(&out));
	}
	ry_buf_free(&cmd);
	ry_buf_free(&out);
	ry_buf_free(&err);
	return rc;
}

/* Time spent waiting for a person to type a passphrase is not the host's:
 * it is left out of the probe's time budget and of its reported latency. */
struct timed_ask {
	ry_ssh_passphrase_fn fn;
	void *payload;
	double waited; /* seconds */
};

static int timed_ask(const char *keyfile, char *buf, size_t size, void *payload)
{
	struct timed_ask *t = payload;
	double t0 = ry_monotonic();
	int rc = t->fn(keyfile, buf, size, t->payload);
	t->waited += ry_monotonic() - t0;
	return rc;
}

int ry_host_probe(ry_host *h, const ry_hosts_probe_options *o)
{
	ry_hosts_probe_options def = RY_HOSTS_PROBE_OPTIONS_INIT;
	ry_ssh_options so = RY_SSH_OPTIONS_INIT;
	ry_sshhost *sh = NULL;
	ry_ssh *s = NULL;
	double t0 = ry_monotonic();
	struct timed_ask ask = { NULL, NULL, 0 };
	int rc;

	if (!o)
		o = &def;
	clear_probe(h);
	if (h->simulated) {
		ry_simulated__probe(h);
		return 0;
	}
	so.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 15000;
	so.cancel = o->cancel;
	if (o->passphrase) {
		ask.fn = o->passphrase;
		ask.payload = o->payload;
		so.passphrase = timed_ask;
		so.payload = &ask;
	}
	so.config = o->sshcfg;
	if ((rc = ry_sshconfig_resolve(o->sshcfg, h->ssh_alias ? h->ssh_alias : h->name, &sh)))
		goto out;
	if ((rc = ry_ssh_connect(&s, sh, &so, &h->fail)))
		goto out;
	{
		/* what is left of the host's time budget */
		int left = (int)(so.timeout_ms - (ry_monotonic() - t0 - ask.waited) * 1000);
		rc = ry_hosts__probe_session(h, s, left > 500 ? left : 500);
	}
out:
	h->probed = true;
	h->probe_rc = rc;
	h->probe_secs = ry_monotonic() - t0 - ask.waited;
	h->probed_at = ry_now();
	if (rc) {
		h->error = ry_xstrdup(ry_error_last());
		if (h->fail == RY_SSH_OK)
			h->fail = RY_SSH_PROTOCOL;
	}
	ry_ssh_close(s);
	ry_sshhost_free(sh);
	return rc;
}

struct probe_job {
	ry_host *h;
	size_t index;
	const ry_hosts_probe_options *o;
	pthread_mutex_t *lock;
	size_t *done, total;
};

static void *probe_thread(void *arg)
{
	struct probe_job *j = arg;
	ry_host_probe(j->h, j->o);
	if (j->o->host_done)
		j->o->host_done(j->h, j->index, j->o->payload);
	if (j->o->progress) {
		size_t d;
		pthread_mutex_lock(j->lock);
		d = ++*j->done;
		pthread_mutex_unlock(j->lock);
		j->o->progress((double)d / (double)j->total, j->h->name, j->o->payload);
	}
	return NULL;
}

int ry_hosts_probe(ry_host *hosts, size_t n, const ry_hosts_probe_options *o)
{
	ry_hosts_probe_options def = RY_HOSTS_PROBE_OPTIONS_INIT;
	struct probe_job *jobs;
	pthread_t *tids;
	bool *started;
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	size_t done = 0;

	if (!o)
		o = &def;
	if (n == 0)
		return 0;
	jobs = ry_xcalloc(n, sizeof *jobs);
	tids = ry_xcalloc(n, sizeof *tids);
	started = ry_xcalloc(n, sizeof *started);
	for (size_t i = 0; i < n; i++) {
		jobs[i] = (struct probe_job){ &hosts[i], i, o, &lock, &done, n };
		started[i] = pthread_create(&tids[i], NULL, probe_thread, &jobs[i]) == 0;
		if (!started[i])
			probe_thread(&jobs[i]); /* out of threads: do it here, slower but correct */
	}
	for (size_t i = 0; i < n; i++)
		if (started[i])
			pthread_join(tids[i], NULL);
	pthread_mutex_destroy(&lock);
	free(jobs);
	free(tids);
	free(started);
	return 0;
}
