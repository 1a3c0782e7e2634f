/*
 * Doubles as data text: the shortest of "%.15g", "%.16g", "%.17g" that reads
 * back (strtod, round to nearest) as the same double, byte for byte what that
 * printf loop writes, without printf.  This is the text of every number that
 * leaves as data (CSV, JSON, exports), so that a file written before and
 * after reads the same and diffs clean.
 *
 * The contract, all of it:
 * - NaN of any sign or payload is "nan"; infinities are "inf" and "-inf".
 * - Zero is "0", negative zero "-0".
 * - Anything else is %.Pg of the value for the smallest P in 15..17 whose
 *   text reads back as it (17 always does): P significant digits of the
 *   exact binary value, ties rounded to even, trailing zeros dropped,
 *   exponent form ("1e+15", "1.5e-05", two exponent digits at least) when
 *   the decimal exponent is below -4 or at least P, fixed form otherwise.
 *
 * Not the shortest text there is ("0.3" style shortest digits, Ryu's own
 * output, would write 5e-324 where this writes 4.94065645841247e-324): the
 * point is to write what runyard always wrote, only faster.
 *
 * How (core/base/dtoa.c): Ryu's scaling (Ulf Adams, "Ryu: fast float-to-
 * string conversion", PLDI 2018) gives the value and both ends of the
 * interval that reads back as it, as exact 18-19 digit integers at one
 * power of ten, from one 64x128-bit product each; rounding those to 15, 16
 * and 17 digits and checking them against the ends is integer work.
 * Subnormals (below 2.2e-308; Ryu's scaling gives them too few digits) go
 * through the printf loop itself.
 */
#ifndef RY_DTOA_H
#define RY_DTOA_H

#include <stdbool.h>
#include <stddef.h>

/* Room for any text ry_dtoa writes, with its NUL ("-2.2250738585072014e-308"
 * is 24 characters, "-0.00012345678901234567" 23). */
#define RY_DTOA_SIZE 32

/* Write v as above into out (RY_DTOA_SIZE bytes at least), NUL-terminated;
 * returns the length.  Thread-safe: the power-of-five tables are computed
 * once, on first use. */
size_t ry_dtoa(double v, char *out);

/* printf's "%.<prec>g" of v for prec 15, 16 or 17, byte for byte ("nan"
 * for every NaN, where printf writes "-nan" for some; "inf", "-inf"), into out (RY_DTOA_SIZE bytes); returns
 * the length.  *steps (steps may be NULL) says where the text reads back:
 * 0 as v itself, 1 as the double next to v on the text's side, 2 further
 * away, -1 not worked out (NaN, numbers below 2^-823, the doubles at the
 * ends of a binade: parse the text if it matters).  For writers that must
 * match another library's choice of precision (cJSON's, cli/json.c). */
size_t ry_dtoa_prec(double v, int prec, char *out, int *steps);

/* "%.15g" of a finite v when that reads back as v, else "%.17g": the rule
 * of the texts that core keeps for numbers (params read from JSON, group
 * keys), unchanged; not finite: printf's own text. */
size_t ry_dtoa_15_or_17(double v, char *out);

#endif
