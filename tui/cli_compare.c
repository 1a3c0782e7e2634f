/* TEMPORARY STUB: replaced by the real implementation. */
#include "cli.h"

int cli_compare(int argc, char **argv, struct cli_global *g)
{
	fprintf(stderr, "runyard: compare is not implemented yet\n");
	return 1;
}
