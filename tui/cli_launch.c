/* TEMPORARY STUB */
#include "cli.h"

int cli_launch(int argc, char **argv, struct cli_global *g)
{
	fprintf(stderr, "runyard: launch is not implemented yet\n");
	return 1;
}
