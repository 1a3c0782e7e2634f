/* Internal to core (and its tests): what the line scanner (metrics/scan.c)
 * lends the ingest (metrics/ingest.c), and the scanner without the
 * prefilter that lets ry_ingest_scan skip lines holding no pair. */
#ifndef RY_INGEST_INTERNAL_H
#define RY_INGEST_INTERNAL_H

#include "metrics/ingest.h"

/* The longest metric or param name captured or stored, in bytes. */
#define RY_INGEST__MAX_KEY 200

/* Parse a number at s[0..n) (decimal, exponent, nan, inf); returns its
 * length, 0 when s holds none. */
size_t ry_ingest__parse_number(const char *s, size_t n, double *out);

/* ry_ingest_scan's rules applied to every byte of the line: the definition
 * the prefilter must agree with (the tests compare the two). */
size_t ry_ingest__scan_unfiltered(const char *line, size_t len, ry_scalar *out, size_t max,
                                  bool *has_step, int64_t *step);

#endif
