/*
 * Test helper: submit commands to a Slurm host as one job array through
 * core's ry_slurm_submit_array (the interface a sweep calls; no
 * subcommand exposes it yet).  Prints the array's job id, then each
 * task's run id, one per line.
 *
 * usage: slurm_array DB HOST MAX_PARALLEL GPUS CMD ARG... [::: CMD ARG...]...
 * RUNYARD_CONFIG names the config with the host's [host NAME] section.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runyard.h"
#include "base/config.h"

static int die(const char *what)
{
	fprintf(stderr, "slurm_array: %s: %s\n", what, ry_error_last());
	return 1;
}

int main(int argc, char **argv)
{
	ry_slurm_array_spec spec = RY_SLURM_ARRAY_SPEC_INIT;
	ry_remote_options o = RY_REMOTE_OPTIONS_INIT;
	ry_slurm_array_result res;
	ry_config *cfg = NULL;
	ry_inventory *inv = NULL;
	ry_store *st = NULL;
	char ***argvs;
	const char *keys[] = { "sweep" }, *values[] = { "sw-test" };
	size_t n = 0;
	int rc;

	if (argc < 6) {
		fprintf(stderr, "usage: slurm_array DB HOST MAX_PARALLEL GPUS CMD ARG... [::: CMD ARG...]...\n");
		return 2;
	}
	/* split argv[5..] at ":::" in place: each command NULL-terminated */
	argvs = calloc((size_t)argc, sizeof *argvs);
	argvs[n++] = argv + 5;
	for (int i = 5; i < argc; i++) {
		if (!strcmp(argv[i], ":::")) {
			argv[i] = NULL;
			argvs[n++] = argv + i + 1;
		}
	}
	if (getenv("RUNYARD_CONFIG") && ry_config_load(&cfg, getenv("RUNYARD_CONFIG")))
		return die("config");
	if (ry_store_open(&st, argv[1], RY_STORE_CREATE) || ry_inventory_open(&inv, st, cfg))
		return die(argv[1]);
	spec.experiment = "arrays";
	spec.argvs = (char *const *const *)argvs;
	spec.n = n;
	spec.max_parallel = atoi(argv[3]);
	spec.ngpus = atoi(argv[4]);
	spec.tag_keys = keys;
	spec.tag_values = values;
	spec.ntags = 1;
	o.sshcfg = ry_inventory_sshconfig(inv);
	if (!ry_inventory_find(inv, argv[2]))
		return die(argv[2]);
	if ((rc = ry_slurm_submit_array(st, ry_inventory_find(inv, argv[2]), &spec, &o, &res)))
		return die("submit");
	printf("%s\n", res.job_id);
	for (size_t i = 0; i < res.n; i++)
		printf("%lld\n", (long long)res.run_ids[i]);
	ry_slurm_array_result_clear(&res);
	ry_inventory_free(inv);
	ry_store_close(st);
	ry_config_free(cfg);
	free(argvs);
	return 0;
}
