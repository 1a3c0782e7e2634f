/*
 * Simulated hosts: the canned probe and the settling of their runs without
 * a connection (simulated.h says what a simulated host is).  What a GPU is
 * called comes from the host's first label ("a100" -> "NVIDIA A100
 * (simulated)"), its memory from a label like "80gb"; the rest of the
 * machine (CPUs, load, memory, disk) is a fixed, plausible answer.
 *
 * It does not decide which hosts are simulated (the workspace's hosts table
 * does) nor make runs (the demo does).
 */
#include "remote/simulated.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/util.h"
#include "store/store_internal.h"

/* The first label, upper-cased, as the GPU's model name. */
static void gpu_model(const ry_host *h, char *out, size_t n)
{
	const char *l = h->labels ? h->labels : "";
	size_t k = 0;
	while (*l == ' ')
		l++;
	for (; *l && *l != ',' && *l != ' ' && k + 1 < n; l++)
		out[k++] = (char)toupper((unsigned char)*l);
	out[k] = '\0';
	if (!k)
		snprintf(out, n, "GPU");
}

/* GiB of GPU memory from a label "24gb" (16 when none says). */
static int gpu_gib(const ry_host *h)
{
	const char *l = h->labels ? h->labels : "";
	while (*l) {
		char *end;
		long v;
		while (*l == ' ' || *l == ',')
			l++;
		v = strtol(l, &end, 10);
		if (end != l && v > 0 && v < 4096 && !strncmp(end, "gb", 2) && (!end[2] || end[2] == ',' || end[2] == ' '))
			return (int)v;
		while (*l && *l != ',')
			l++;
	}
	return 16;
}

/* Which GPU indices the workspace's running runs on h hold. */
static void busy_gpus(const ry_host *h, ry_store *st, bool *busy, int n)
{
	sqlite3_stmt *s;
	if (!st)
		return;
	s = ry_store__stmt(st, "SELECT gpus FROM runs WHERE status = 'running' AND host = ? AND gpus IS NOT NULL");
	sqlite3_bind_text(s, 1, h->name, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *g = (const char *)sqlite3_column_text(s, 0);
		while (g && *g) {
			char *end;
			long i = strtol(g, &end, 10);
			if (end == g)
				break;
			if (i >= 0 && i < n)
				busy[i] = true;
			g = *end == ',' ? end + 1 : end;
		}
	}
	sqlite3_reset(s);
}

char *ry_simulated__probe_text(const ry_host *h, ry_store *st)
{
	ry_buf b = RY_BUF_INIT;
	int n = h->max_gpus > 0 ? h->max_gpus : 0, gib = gpu_gib(h), nbusy = 0;
	bool *busy = ry_xcalloc(n ? (size_t)n : 1, sizeof *busy);
	char model[32];

	gpu_model(h, model, sizeof model);
	busy_gpus(h, st, busy, n);
	if (n) {
		ry_buf_puts(&b, "@@gpu\n");
		for (int i = 0; i < n; i++)
			ry_buf_printf(&b, "%d, GPU-sim-%s-%d, NVIDIA %s (simulated), %d, %d, %d\n", i, h->name, i, model,
			              busy[i] ? gib * 1024 * 3 / 4 : 0, gib * 1024, busy[i] ? 97 : 0);
		ry_buf_puts(&b, "@@gpurc 0\n@@apps\n");
		for (int i = 0; i < n; i++)
			if (busy[i]) {
				ry_buf_printf(&b, "GPU-sim-%s-%d, %d, %d, %s\n", h->name, i, 4000 + i, gib * 1024 * 3 / 4,
				              "demo");
				nbusy++;
			}
	} else {
		ry_buf_puts(&b, "@@nogpu\n");
	}
	ry_buf_printf(&b, "@@nproc\n%d\n@@load\n%.2f %.2f %.2f 1/100 1\n", n ? 8 * n : 64, 0.5 + nbusy * 4.0,
	              0.5 + nbusy * 4.0, 0.5 + nbusy * 3.5);
	ry_buf_printf(&b, "@@mem\nMemAvailable: %lld kB\n", (long long)(n ? 64LL * n : 384LL) * 1024 * 1024);
	ry_buf_puts(&b, "@@df\n/dev/sim 2000000000 500000000 1500000000 25% /\n@@end\n");
	free(busy);
	return ry_buf_detach(&b);
}

void ry_simulated__probe(ry_host *h)
{
	/* A record whose canned text was never built (no workspace) still
	 * answers, with every GPU free. */
	char *text = h->canned_probe ? NULL : ry_simulated__probe_text(h, NULL);
	ry_host_parse_probe(h, h->canned_probe ? h->canned_probe : text);
	free(text);
	h->probed = true;
	h->probe_rc = 0;
	h->fail = RY_SSH_OK;
	h->probe_secs = 0;
	h->probed_at = ry_now();
}

static double planned_end(const ry_run *r)
{
	for (size_t i = 0; i < r->ntags; i++) {
		double v;
		if (!strcmp(r->tags[i].key, RY_SIMULATED_TAG) && ry_parse_number(r->tags[i].value, &v))
			return v;
	}
	return 0;
}

int ry_simulated__sync(ry_store *st, const ry_run *r, ry_sync_report *rep)
{
	double end = planned_end(r);
	int rc;
	if (strcmp(r->status, "running") || end <= 0 || end > ry_now()) {
		rep->simulated++;
		return 0;
	}
	rc = ry_run_finish(st, r->id, "finished", end, true, 0);
	if (rc == RY_ESTALE)
		return 0;
	if (!rc)
		rep->settled++;
	return rc;
}

int ry_simulated__cancel(ry_store *st, const ry_run *r)
{
	int rc = ry_run_finish(st, r->id, "killed", ry_now(), true, 143);
	if (!rc)
		ry_store_event(st, "cancel", r->uuid, r->host);
	return rc == RY_ESTALE ? 0 : rc;
}
