/* Internal to core (and its tests): the scalar scanner without the
 * prefilter that lets ry_ingest_scan skip lines holding no pair. */
#ifndef RY_INGEST_INTERNAL_H
#define RY_INGEST_INTERNAL_H

#include "metrics/ingest.h"

/* ry_ingest_scan's rules applied to every byte of the line: the definition
 * the prefilter must agree with (the tests compare the two). */
size_t ry_ingest__scan_unfiltered(const char *line, size_t len, ry_scalar *out, size_t max,
                                  bool *has_step, int64_t *step);

#endif
