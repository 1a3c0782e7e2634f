/* TEMPORARY STUB: replaced by the real implementation. */
#include "app.h"

int tui_app_run(struct cli_global *g, bool demo)
{
	fprintf(stderr, "runyard: the TUI is not implemented yet\n");
	return 1;
}
