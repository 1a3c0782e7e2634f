/*
 * Test helper: create a finished run in a workspace, the way the tracker
 * would record one -- params, metric histories, git commit, and artifacts
 * hashed into the store -- so the registry's shell tests can promote real
 * runs without depending on `runyard run`.  Prints the new run's id.
 *
 * usage: mkrun DB [-e EXP] [-n NAME] [-s STATUS] [-g COMMIT] [-b BRANCH]
 *              [-p KEY=VALUE]... [-m KEY=V1,V2,...]... [-a FILE[=RELPATH]]...
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runyard.h"

static int die(const char *what)
{
	fprintf(stderr, "mkrun: %s: %s\n", what, ry_error_last());
	return 1;
}

int main(int argc, char **argv)
{
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	const char *status = "finished", *commit = NULL, *branch = NULL;
	const char *params[32], *metrics[32], *artifacts[32];
	int np = 0, nm = 0, na = 0, c;
	ry_metrics_writer *w = NULL;
	ry_store *st;
	int64_t id;
	double t0;

	while ((c = getopt(argc, argv, "e:n:s:g:b:p:m:a:")) != -1) {
		switch (c) {
		case 'e': spec.experiment = optarg; break;
		case 'n': spec.name = optarg; break;
		case 's': status = optarg; break;
		case 'g': commit = optarg; break;
		case 'b': branch = optarg; break;
		case 'p': if (np < 32) params[np++] = optarg; break;
		case 'm': if (nm < 32) metrics[nm++] = optarg; break;
		case 'a': if (na < 32) artifacts[na++] = optarg; break;
		default: return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: mkrun DB [-e EXP] [-n NAME] [-p K=V]... [-m K=V1,V2]... [-a FILE[=REL]]...\n");
		return 2;
	}
	if (ry_store_open(&st, argv[optind], RY_STORE_CREATE))
		return die("open");
	spec.command = "python train.py";
	spec.status = "running";
	spec.host = "testhost";
	t0 = ry_now() - 60;
	spec.started = t0;
	if (ry_run_create(st, &spec, &id, NULL))
		return die("create");
	if (commit && ry_run_set_text(st, id, "git_commit", commit))
		return die("git commit");
	if (branch && ry_run_set_text(st, id, "git_branch", branch))
		return die("git branch");
	if (commit && ry_run_set_int(st, id, "git_dirty", 0))
		return die("git dirty");
	for (int i = 0; i < np; i++) {
		char *kv = ry_xstrdup(params[i]), *eq = strchr(kv, '=');
		if (!eq)
			return 2;
		*eq = '\0';
		if (ry_run_set_param(st, id, kv, eq + 1))
			return die("param");
		free(kv);
	}
	if (nm && ry_metrics_writer_new(&w, st))
		return die("metrics");
	for (int i = 0; i < nm; i++) {
		char *kv = ry_xstrdup(metrics[i]), *eq = strchr(kv, '='), *tok, *save = NULL;
		int64_t step = 0;
		if (!eq)
			return 2;
		*eq = '\0';
		for (tok = strtok_r(eq + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save), step++)
			if (ry_metrics_append(w, id, kv, step, t0 + (double)step, strtod(tok, NULL)))
				return die("metric");
		free(kv);
	}
	if (w && ry_metrics_flush(w))
		return die("flush");
	ry_metrics_writer_free(w);
	for (int i = 0; i < na; i++) {
		char *f = ry_xstrdup(artifacts[i]), *eq = strchr(f, '='), hex[65];
		const char *rel;
		int64_t size;
		if (eq)
			*eq = '\0';
		rel = eq ? eq + 1 : (strrchr(f, '/') ? strrchr(f, '/') + 1 : f);
		if (ry_artifact_put(st, f, hex, &size) || ry_artifact_record(st, id, rel, hex, size))
			return die("artifact");
		free(f);
	}
	if (strcmp(status, "running") && ry_run_finish(st, id, status, t0 + 30, true, 0))
		return die("finish");
	printf("%lld\n", (long long)id);
	ry_store_close(st);
	return 0;
}
