/*
 * Capture policy: which of a run's output is scanned for metrics, and with
 * which patterns (ry_ingest_options_for_run).  Local tracking, remote sync
 * and the CLI all ask here, so a run gets the same settings whether it runs
 * on this machine or on a host (docs/tracking.md, "Your own patterns").
 *
 * It only decides; ingest.c and scan.c capture.  It reads the config it is given and
 * never loads one, nor prints: a problem with the config's patterns comes
 * back as a warning for the front end to show.
 */
#include "metrics/ingest.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "runs/run.h"

#include <stdlib.h>
#include <string.h>

/* The config's [patterns] section as "NAME = REGEX" lines, or NULL when it
 * has none or they do not compile (then *warning says why). */
static char *config_patterns(const ry_config *cfg, char **warning)
{
	ry_buf b = RY_BUF_INIT;
	for (size_t i = 0, n = cfg ? ry_config_nentries(cfg, "patterns") : 0; i < n; i++) {
		const char *k, *v;
		ry_config_entry(cfg, "patterns", i, &k, &v);
		ry_buf_printf(&b, "%s = %s\n", k, v);
	}
	if (b.len && ry_ingest_check_patterns(b.ptr)) {
		if (warning)
			*warning = ry_xasprintf("the config's [patterns] are not used: %s", ry_error_last());
		ry_error_clear();
		ry_buf_free(&b);
	}
	return b.ptr ? ry_buf_detach(&b) : NULL;
}

int ry_ingest_options_for_run(ry_ingest_options *io, char **patterns, char **warning, ry_store *st,
                              int64_t experiment_id, const ry_config *cfg)
{
	const char *extra = io->patterns;
	char *saved = NULL, *fromcfg;
	ry_buf b = RY_BUF_INIT;

	*patterns = NULL;
	if (warning)
		*warning = NULL;
	if (io->scalars && st && experiment_id > 0) {
		char *v = ry_experiment_setting_get(st, experiment_id, "capture");
		io->scalars = !(v && !strcmp(v, "off"));
		free(v);
	}
	ry_error_clear(); /* an unreadable setting is an unset one */
	if (!io->scalars) {
		/* --no-capture: no scanning of output at all; JSON lines are still read */
		io->patterns = NULL;
		return 0;
	}
	/* saved, then config, then the command line: later lines add to earlier */
	if (st && experiment_id > 0 && (saved = ry_experiment_setting_get(st, experiment_id, "patterns"))) {
		ry_buf_puts(&b, saved);
		ry_buf_putc(&b, '\n');
		free(saved);
	}
	ry_error_clear();
	if ((fromcfg = config_patterns(cfg, warning))) {
		ry_buf_puts(&b, fromcfg);
		free(fromcfg);
	}
	if (extra)
		ry_buf_puts(&b, extra);
	*patterns = b.ptr ? ry_buf_detach(&b) : NULL;
	io->patterns = *patterns;
	return 0;
}
