/* TEMPORARY STUB: replaced by the real implementation. */
#include "cli.h"

int cli_bench(int argc, char **argv, struct cli_global *g)
{
	fprintf(stderr, "runyard: bench is not implemented yet\n");
	return 1;
}
