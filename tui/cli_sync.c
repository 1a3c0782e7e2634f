/* TEMPORARY STUB */
#include "cli.h"

int cli_sync(int argc, char **argv, struct cli_global *g)
{
	fprintf(stderr, "runyard: sync is not implemented yet\n");
	return 1;
}
