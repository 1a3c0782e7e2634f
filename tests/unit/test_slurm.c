/* slurm.c: reading squeue/sacct/scontrol, mapping Slurm's end states,
 * the host's Slurm settings and prices, the probe's sinfo/squeue lines. */
#include "testutil.h"
#include "remote/slurm.h"
#include "remote/cost.h"
#include "remote/remote_internal.h"
#include "base/config.h"

static const char rundir_done[] = "exit 0\nended 1700000100.5\nstarted 1700000001.2\npid\nend\n";

/* The state script's output: each section and its exit status. */
static char *state_out(const char *squeue, int qrc, const char *sacct, int arc, const char *scontrol, int crc,
                       const char *rundir)
{
	return ry_xasprintf("@@squeue\n%s@@rc %d\n@@sacct\n%s@@rc %d\n@@scontrol\n%s@@rc %d\n@@rundir\n%s@@end\n",
	                    squeue, qrc, sacct, arc, scontrol, crc, rundir);
}

static void test_slurm_parse_state__empty_output_knows_nothing(void **state)
{
	ry_slurm__job j;
	char *rd;
	(void)state;
	ry_slurm__parse_state("", &j, &rd);
	assert_false(j.listed);
	assert_false(j.gone);
	assert_null(j.error);
	assert_string_equal(j.state, "");
	assert_null(rd);
	ry_slurm__job_clear(&j);
}

static void test_slurm_parse_state__pending_with_reason(void **state)
{
	ry_slurm__job j;
	char *rd, *out = state_out("PENDING|Resources|N/A\n", 0, "Slurm accounting storage is disabled\n", 1,
	                           "JobId=7 JobState=PENDING Reason=Resources ExitCode=0:0\n", 0, "end\n");
	(void)state;
	ry_slurm__parse_state(out, &j, &rd);
	assert_true(j.listed);
	assert_string_equal(j.state, "PENDING");
	assert_string_equal(j.reason, "Resources");
	assert_true(j.start == 0);
	assert_string_equal(rd, "end\n");
	free(rd);
	free(out);
	ry_slurm__job_clear(&j);
}

static void test_slurm_parse_state__ended_from_sacct_before_scontrol(void **state)
{
	ry_slurm__job j;
	char *rd, *out = state_out("", 0, "TIMEOUT|0:15|1700000000|1700000600\n", 0,
	                           "JobId=7 JobState=CANCELLED ExitCode=0:0 StartTime=1 EndTime=2\n", 0, rundir_done);
	ry_remote__state rs;
	(void)state;
	ry_slurm__parse_state(out, &j, &rd);
	assert_true(j.gone);
	assert_string_equal(j.source, "sacct");
	assert_string_equal(j.state, "TIMEOUT");
	assert_true(j.has_exit);
	assert_int_equal(j.exit_code, 128 + 15);
	assert_true(j.start == 1700000000 && j.end == 1700000600);
	ry_remote__parse_state(rd, &rs);
	assert_true(rs.end && rs.has_exit && rs.exit_code == 0);
	free(rd);
	free(out);
	ry_slurm__job_clear(&j);
}

static void test_slurm_parse_state__no_accounting_uses_scontrol(void **state)
{
	ry_slurm__job j;
	char *out = state_out("", 0, "Slurm accounting storage is disabled\n", 1,
	                      "JobId=7 JobName=runyard-1 WorkDir=/a b JobState=CANCELLED Reason=None ExitCode=3:0 "
	                      "StartTime=1700000000 EndTime=1700000009\n", 0, "end\n");
	(void)state;
	ry_slurm__parse_state(out, &j, NULL);
	assert_string_equal(j.source, "scontrol");
	assert_string_equal(j.state, "CANCELLED");
	assert_int_equal(j.exit_code, 3);
	assert_true(j.end == 1700000009);
	free(out);
	ry_slurm__job_clear(&j);
}

static void test_slurm_parse_state__forgotten_job_leaves_the_run_dir(void **state)
{
	ry_slurm__job j;
	char *out = state_out("slurm_load_jobs error: Invalid job id specified\n", 1,
	                      "Slurm accounting storage is disabled\n", 1,
	                      "slurm_load_jobs error: Invalid job id specified\n", 1, rundir_done);
	(void)state;
	ry_slurm__parse_state(out, &j, NULL);
	assert_true(j.gone);
	assert_null(j.error);
	assert_string_equal(j.state, "");
	assert_string_equal(j.source, "");
	free(out);
	ry_slurm__job_clear(&j);
}

static void test_slurm_parse_state__controller_down_is_an_error(void **state)
{
	ry_slurm__job j;
	char *out = state_out("slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n", 1, "",
	                      1, "", 1, "end\n");
	(void)state;
	ry_slurm__parse_state(out, &j, NULL);
	assert_false(j.gone);
	assert_non_null(j.error);
	assert_non_null(strstr(j.error, "Unable to contact"));
	free(out);
	ry_slurm__job_clear(&j);
}

static void test_slurm_map_state__every_end(void **state)
{
	struct { const char *state, *status, *stopped_by; bool note; } cases[] = {
		{ "COMPLETED", "finished", NULL, false },
		{ "FAILED", "failed", NULL, false },
		{ "TIMEOUT", "killed", "time limit", true },
		{ "CANCELLED", "killed", "cancelled", false },
		{ "OUT_OF_MEMORY", "failed", NULL, true },
		{ "NODE_FAIL", "lost", NULL, true },
		{ "SOMETHING_NEW", "failed", NULL, true },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *stopped_by, *note;
		assert_string_equal(ry_slurm__map_state(cases[i].state, &stopped_by, &note), cases[i].status);
		if (cases[i].stopped_by)
			assert_string_equal(stopped_by, cases[i].stopped_by);
		else
			assert_null(stopped_by);
		assert_int_equal(note != NULL, cases[i].note);
	}
}

static ry_host *slurm_host(const char *extra)
{
	ry_config *cfg;
	ry_host *hosts;
	size_t n;
	char *text = ry_xasprintf("[host c]\nscheduler = slurm\nprice_per_hour = 1\ngpu_price_per_hour = 3\n%s", extra);
	assert_int_equal(ry_config_parse(&cfg, text, "test"), 0);
	free(text);
	if (ry_hosts_list(&hosts, &n, cfg, NULL, NULL)) {
		ry_config_free(cfg);
		return NULL;
	}
	ry_config_free(cfg);
	assert_int_equal(n, 1);
	ry_host *h = ry_host_copy(&hosts[0]);
	ry_hosts_free(hosts, n);
	return h;
}

static void test_slurm_host__partition_price_sets_the_rate(void **state)
{
	ry_host *h = slurm_host("partition = gpu\npartition_price.gpu = 2.5\npartition_price.big = 7\n");
	(void)state;
	assert_non_null(h);
	assert_true(ry_host_is_slurm(h));
	assert_true(ry_cost_rate(h, 2) == 1 + 2 * 2.5);
	assert_true(ry_slurm__gpu_price(h, "big") == 7);
	assert_true(ry_slurm__gpu_price(h, "other") == 3); /* no price: the host's */
	ry_host_free(h);
	assert_null(slurm_host("partition = a$(id)\n"));
	assert_null(slurm_host("partition_price.gpu = cheap\n"));
}

static void test_slurm_probe__partitions_and_jobs(void **state)
{
	ry_host *h = slurm_host("");
	(void)state;
	ry_host_parse_probe(h, "@@nogpu\n@@sinfo\ngpu|mix|gpu:a100:4(S:0-1)|gpu:a100:3(IDX:0-2)|\n"
	                       "gpu|idle|gpu:4|gpu:0|\ngpu|drain|gpu:4|gpu:0|\ncpu|idle|(null)|gpu:0|\n@@slurmrc 0\n"
	                       "@@squeue\n12|runyard-1a2b|PENDING|Priority|gpu|0:00\n@@slurmrc 0\n@@end\n");
	assert_int_equal(h->npartitions, 2);
	assert_string_equal(h->partitions[0].name, "gpu");
	assert_int_equal(h->partitions[0].nodes_alloc, 1);
	assert_int_equal(h->partitions[0].nodes_idle, 1);
	assert_int_equal(h->partitions[0].nodes_other, 1);
	assert_int_equal(h->partitions[0].gpus_total, 12);
	assert_int_equal(h->partitions[0].gpus_alloc, 3);
	assert_int_equal(h->partitions[1].gpus_total, 0);
	assert_int_equal(h->njobs, 1);
	assert_string_equal(h->jobs[0].reason, "Priority");
	assert_null(h->slurm_error);
	ry_host *c = ry_host_copy(h);
	assert_string_equal(c->jobs[0].id, "12");
	ry_host_free(c);
	ry_host_free(h);
}

/* A squeue section that fails twice in one output (fuzz_slurm found the
 * second error overwriting, and leaking, the first): the first stands. */
static void test_slurm_parse_state__squeue_failing_twice_keeps_the_first_error(void **state)
{
	ry_slurm__job j;
	(void)state;
	ry_slurm__parse_state("@@squeue\nfirst failure\n@@rc 1\n@@squeue\nsecond failure\n@@rc 1\n@@end\n", &j, NULL);
	assert_non_null(j.error);
	assert_string_equal(j.error, "first failure");
	ry_slurm__job_clear(&j);
}

/* Two run directory sections in one output (fuzz_slurm: the second @@end
 * replaced, and leaked, the first copy): the first one is read. */
static void test_slurm_parse_state__second_rundir_section_keeps_the_first(void **state)
{
	ry_slurm__job j;
	char *rundir = NULL;
	(void)state;
	ry_slurm__parse_state("@@rundir\nexit 0\n@@end\n@@rundir\nexit 1\n@@end\n", &j, &rundir);
	assert_non_null(rundir);
	assert_string_equal(rundir, "exit 0\n");
	free(rundir);
	ry_slurm__job_clear(&j);
}

/* GRES counts that are not GPU counts (fuzz_probe: two of 2000000000
 * overflowed the partition's int): each is capped and the sum saturates. */
static void test_slurm_probe__huge_gres_counts_saturate(void **state)
{
	ry_host *h = slurm_host("");
	(void)state;
	ry_host_parse_probe(h, "@@nogpu\n@@sinfo\ngpu|idle|gpu:2000000000|gpu:-5|\ngpu|idle|gpu:2000000000|gpu:0|\n"
	                       "@@slurmrc 0\n@@end\n");
	assert_int_equal(h->npartitions, 1);
	assert_int_equal(h->partitions[0].gpus_total, 1000000);
	assert_int_equal(h->partitions[0].gpus_alloc, 0);
	ry_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slurm_parse_state__empty_output_knows_nothing),
		cmocka_unit_test(test_slurm_parse_state__pending_with_reason),
		cmocka_unit_test(test_slurm_parse_state__ended_from_sacct_before_scontrol),
		cmocka_unit_test(test_slurm_parse_state__no_accounting_uses_scontrol),
		cmocka_unit_test(test_slurm_parse_state__forgotten_job_leaves_the_run_dir),
		cmocka_unit_test(test_slurm_parse_state__controller_down_is_an_error),
		cmocka_unit_test(test_slurm_map_state__every_end),
		cmocka_unit_test(test_slurm_host__partition_price_sets_the_rate),
		cmocka_unit_test(test_slurm_probe__partitions_and_jobs),
		cmocka_unit_test(test_slurm_parse_state__squeue_failing_twice_keeps_the_first_error),
		cmocka_unit_test(test_slurm_probe__huge_gres_counts_saturate),
		cmocka_unit_test(test_slurm_parse_state__second_rundir_section_keeps_the_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
