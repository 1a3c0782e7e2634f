/*
 * Core-internal parts of the demo (core/demo only).
 */
#ifndef RY_DEMO_INTERNAL_H
#define RY_DEMO_INTERNAL_H

#include <stdint.h>

#include "demo/demo.h"

/* Register the demo's models (models.c) from the runs already seeded in st:
 * artifacts for a few finished runs, versions, aliases and their audit
 * trail.  Each registry write is its own transaction.  0 or an RY_E* code. */
int ry_demo__models(ry_store *st, uint64_t seed);

#endif
