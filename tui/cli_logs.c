/* TEMPORARY STUB */
#include "cli.h"

int cli_logs(int argc, char **argv, struct cli_global *g)
{
	fprintf(stderr, "runyard: logs is not implemented yet\n");
	return 1;
}
