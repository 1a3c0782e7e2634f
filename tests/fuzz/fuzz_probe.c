/* The host probe's output (core/remote/hosts.c, slurm.c): nvidia-smi's two
 * CSV queries (--query-gpu, --query-compute-apps), leases, nproc, load,
 * meminfo, df, and Slurm's sinfo/squeue sections, as a host prints them. */
#include "fuzz.h"

#include "remote/hosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	ry_host *h = calloc(1, sizeof *h);
	if (!h)
		abort();
	h->name = strdup("gpu1");
	ry_host_parse_probe(h, text);
	int idx[16];
	(void)ry_host_free_gpus(h, idx, 16);
	for (size_t i = 0; i < h->ngpus; i++)
		(void)ry_gpu_is_free(&h->gpus[i]);
	ry_host_free(h);
	free(text);
	return 0;
}
