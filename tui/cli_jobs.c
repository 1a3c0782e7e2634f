/* TEMPORARY STUB */
#include "cli.h"

int cli_jobs(int argc, char **argv, struct cli_global *g)
{
	fprintf(stderr, "runyard: jobs is not implemented yet\n");
	return 1;
}
