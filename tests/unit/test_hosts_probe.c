/* hosts.c's probe parser (ry_host_parse_probe) on nvidia-smi's answers: a
 * MIG-partitioned GPU's [N/A] fields, and lines that are not the table
 * asked for, which must never count as a free GPU. */
#include <math.h>

#include "testutil.h"
#include "remote/hosts.h"

/* A host named `name` that has been sent `out` by its probe; free with
 * ry_host_free. */
static size_t nfree(const ry_host *h)
{
	int idx[16];
	return ry_host_free_gpus(h, idx, 16);
}

static ry_host *probed(const char *name, const char *out)
{
	ry_host *h = ry_xcalloc(1, sizeof *h);
	h->name = ry_xstrdup(name);
	ry_host_parse_probe(h, out);
	return h;
}

static void test_host_parse_probe__empty_output_has_no_gpus(void **state)
{
	ry_host *h = probed("g1", "");
	(void)state;
	assert_false(h->has_nvidia);
	assert_int_equal(h->ngpus, 0);
	assert_null(h->gpu_error);
	ry_host_free(h);
}

/* nvidia-smi --query-gpu=index,uuid,name,memory.used,memory.total,
 * utilization.gpu --format=csv,noheader,nounits on an H100 in MIG mode:
 * utilisation is not reported per GPU and reads [N/A] (nvidia-smi's
 * documented "[N/A]" for a field that does not apply). */
static void test_host_parse_probe__mig_na_utilisation_is_nan(void **state)
{
	ry_host *h = probed("h100", "@@gpu\n"
	                    "0, GPU-4e2a7c1e-0000-4000-8000-000000000000, NVIDIA H100 80GB HBM3, 13, 81559, [N/A]\n"
	                    "1, GPU-4e2a7c1e-0000-4000-8000-000000000001, NVIDIA H100 80GB HBM3, [N/A], [N/A], [N/A]\n"
	                    "@@gpurc 0\n@@apps\n@@leases\n@@end\n");
	(void)state;
	assert_true(h->has_nvidia);
	assert_null(h->gpu_error);
	assert_int_equal(h->ngpus, 2);
	assert_string_equal(h->gpus[0].name, "NVIDIA H100 80GB HBM3");
	assert_true(h->gpus[0].mem_used == 13 && h->gpus[0].mem_total == 81559);
	assert_true(isnan(h->gpus[0].util));
	assert_true(isnan(h->gpus[1].mem_used) && isnan(h->gpus[1].mem_total) && isnan(h->gpus[1].util));
	assert_int_equal(nfree(h), 2);
	ry_host_free(h);
}

static void test_host_parse_probe__wrong_column_count_is_no_gpu(void **state)
{
	ry_host *h;
	(void)state;
	/* One column too many: the old parser folded the 7th into the 6th and
	 * called the GPU free. */
	h = probed("g1", "@@gpu\n"
	           "0, GPU-aa, NVIDIA A100-SXM4-80GB, 70000, 81920, 99, extra\n"
	           "@@gpurc 0\n@@apps\n@@leases\n@@end\n");
	assert_int_equal(h->ngpus, 0);
	assert_int_equal(nfree(h), 0);
	assert_non_null(h->gpu_error);
	assert_non_null(strstr(h->gpu_error, "g1 printed '0, GPU-aa, NVIDIA A100-SXM4-80GB, 70000, 81920, 99, extra'"));
	assert_non_null(strstr(h->gpu_error, "7 or more columns, not the 6"));
	ry_host_free(h);

	/* Too few, next to a good line: the good GPU stays, the error says
	 * which line was not read. */
	h = probed("g2", "@@gpu\n"
	           "0, GPU-bb, NVIDIA A100-SXM4-80GB, 4, 81920, 0\n"
	           "1, GPU-cc, NVIDIA A100-SXM4-80GB, 4\n"
	           "2, GPU-dd, 81920\n"
	           "@@gpurc 0\n@@apps\n@@leases\n@@end\n");
	assert_int_equal(h->ngpus, 1);
	assert_string_equal(h->gpus[0].uuid, "GPU-bb");
	assert_non_null(h->gpu_error);
	assert_non_null(strstr(h->gpu_error, "g2 printed '1, GPU-cc, NVIDIA A100-SXM4-80GB, 4': 4 columns"));
	assert_non_null(strstr(h->gpu_error, "and more lines like it"));
	ry_host_free(h);
}

/* A failing nvidia-smi keeps its own words, as before. */
static void test_host_parse_probe__failure_keeps_its_message(void **state)
{
	ry_host *h = probed("g3", "@@gpu\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"
	                    "@@gpurc 9\n@@apps\n@@leases\n@@end\n");
	(void)state;
	assert_false(h->has_nvidia);
	assert_int_equal(h->ngpus, 0);
	assert_non_null(strstr(h->gpu_error, "couldn't communicate"));
	ry_host_free(h);
}

/* Two failed GPU queries in one output (fuzz_probe found it: the second
 * error overwrote, and leaked, the first): the first failure's words stay. */
static void test_host_parse_probe__second_failure_keeps_the_first(void **state)
{
	ry_host *h = probed("g4", "@@gpu\nfirst failure\n@@gpurc 6\n@@gpu\nsecond failure\n@@gpurc 6\n@@end\n");
	(void)state;
	assert_false(h->has_nvidia);
	assert_int_equal(h->ngpus, 0);
	assert_string_equal(h->gpu_error, "first failure");
	ry_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_parse_probe__empty_output_has_no_gpus),
		cmocka_unit_test(test_host_parse_probe__mig_na_utilisation_is_nan),
		cmocka_unit_test(test_host_parse_probe__wrong_column_count_is_no_gpu),
		cmocka_unit_test(test_host_parse_probe__failure_keeps_its_message),
		cmocka_unit_test(test_host_parse_probe__second_failure_keeps_the_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
