/* Slurm's answers (core/remote/slurm.c): the state script's @@squeue,
 * @@sacct, @@scontrol and @@rundir sections, and the run directory's state
 * as the ssh backend reads it (ry_remote__parse_state). */
#include "fuzz.h"

#include "remote/remote_internal.h"
#include "remote/slurm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	ry_slurm__job j;
	char *rundir = NULL;
	memset(&j, 0, sizeof j);
	ry_slurm__parse_state(text, &j, &rundir);
	if (j.state[0]) {
		const char *stopped_by = NULL, *note = NULL;
		(void)ry_slurm__map_state(j.state, &stopped_by, &note);
	}
	if (rundir) {
		ry_remote__state rs;
		memset(&rs, 0, sizeof rs);
		ry_remote__parse_state(rundir, &rs);
		(void)ry_remote__ended_at(&rs);
	}
	free(rundir);
	ry_slurm__job_clear(&j);
	ry_remote__state rs2;
	memset(&rs2, 0, sizeof rs2);
	ry_remote__parse_state(text, &rs2);
	free(text);
	return 0;
}
