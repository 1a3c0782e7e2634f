/* TEMPORARY STUB */
#include "cli.h"

int cli_cancel(int argc, char **argv, struct cli_global *g)
{
	fprintf(stderr, "runyard: cancel is not implemented yet\n");
	return 1;
}
