/*
 * ry_dtoa: the printf loop's text for a double (base/dtoa.h states the
 * contract), from integers.  It does not parse numbers and does not choose
 * how a number is shown to a person (cli_format_number does that).
 *
 * A finite double is v = mv * 2^e2 with mv = 4 * mantissa (two spare bits
 * for the ends of its interval).  The text reads back as v exactly when it
 * lies between v- and v+, the midpoints to the neighbouring doubles (ends
 * included when the mantissa is even: strtod rounds ties to even).  Ryu
 * multiplies mv and the two ends by one 128-bit power of five, giving
 * floor(v * 10^-e10), floor(v+ * 10^-e10) and floor(v- * 10^-e10) exactly
 * (the table's precision is what Ryu's paper proves enough), 18 or 19
 * digits for a normal double.  Whether each product was an integer (its
 * floor lost nothing) is a divisibility test: by 5^q above 2^53, by 2^q
 * below.  From those three integers, "%.Pg" is vr rounded to P digits (a
 * remainder of exactly half with nothing lost below is a tie: to even), and
 * "reads back" is that rounding compared with the two ends.
 *
 * The tables are 5^-q and 5^i as Ryu's C code tabulates them (122 and 121
 * bits), computed once from exact multi-word powers of five rather than
 * pasted: 618 entries, about 0.1 ms, at the first call.
 */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dtoa.h"

typedef unsigned __int128 u128;

#define INV_BITS 122 /* 2^(bitlength(5^q) - 1 + INV_BITS) / 5^q, plus one */
#define POW_BITS 121 /* 5^i cut to its top POW_BITS bits */
#define INV_COUNT 292 /* q up to 290: e2 up to 2046 - 1077 */
#define POW_COUNT 326 /* i up to 325: e2 down to 1 - 1077 */

static u128 inv5[INV_COUNT], pow5[POW_COUNT];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static bool tables_ready; /* set (release) once the tables are built: skips pthread_once */

/* Bit length of 5^e (1 for e = 0), as Ryu computes it: the shifts below and
 * the tables must agree on it. */
static int32_t pow5bits(int32_t e)
{
	return e == 0 ? 1 : (int32_t)(((uint64_t)e * 23219280u + 9999999u) / 10000000u);
}

/* Multi-word integers, 32 bits a word, least significant first: 27 words
 * hold 2^832, above 2^(bitlength(5^290) - 1 + 122). */
#define WORDS 27
#define TOP_BIT 832

/* The 128 bits of x from bit `pos` up (pos < 0 shifts left). */
static u128 bits_from(const uint32_t *x, int pos)
{
	u128 r = 0;
	for (int b = 0; b < 128; b++) {
		int p = pos + b;
		if (p >= 0 && p < WORDS * 32 && (x[p / 32] >> (p % 32) & 1))
			r |= (u128)1 << b;
	}
	return r;
}

static void build_tables(void)
{
	uint32_t x[WORDS] = { 0 }, p[WORDS] = { 0 };
	x[TOP_BIT / 32] = 1u << (TOP_BIT % 32); /* floor(2^832 / 5^q), q = 0 */
	p[0] = 1;                               /* 5^i, i = 0 */
	for (int q = 0; q < INV_COUNT; q++) {
		if (q > 0) { /* floor(floor(a / 5^(q-1)) / 5) = floor(a / 5^q) */
			uint64_t rem = 0;
			for (int w = WORDS - 1; w >= 0; w--) {
				uint64_t cur = rem << 32 | x[w];
				x[w] = (uint32_t)(cur / 5);
				rem = cur % 5;
			}
		}
		int j = pow5bits(q) - 1 + INV_BITS;
		inv5[q] = bits_from(x, TOP_BIT - j) + 1;
	}
	for (int i = 0; i < POW_COUNT; i++) {
		if (i > 0) {
			uint64_t carry = 0;
			for (int w = 0; w < WORDS; w++) {
				uint64_t cur = (uint64_t)p[w] * 5 + carry;
				p[w] = (uint32_t)cur;
				carry = cur >> 32;
			}
		}
		pow5[i] = bits_from(p, pow5bits(i) - POW_BITS);
	}
	__atomic_store_n(&tables_ready, true, __ATOMIC_RELEASE);
}

/* floor(m * mul / 2^j), 64 <= j < 128; m has at most 57 bits, so the
 * lowest 64 bits of the product never carry into what is kept. */
static uint64_t mulshift(uint64_t m, u128 mul, int32_t j)
{
	u128 lo = (u128)m * (uint64_t)mul;
	u128 hi = (u128)m * (uint64_t)(mul >> 64);
	return (uint64_t)(((lo >> 64) + hi) >> (j - 64));
}

static int pow5_factor(uint64_t x)
{
	int n = 0;
	while (x > 0 && x % 5 == 0) {
		x /= 5;
		n++;
	}
	return n;
}

static const uint64_t tens[20] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
	10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
	100000000000ull, 1000000000000ull, 10000000000000ull,
	100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
};

static int digits_in(uint64_t x)
{
	int n = 1;
	while (n < 20 && x >= tens[n])
		n++;
	return n;
}

static size_t put(char *out, const char *s)
{
	size_t n = strlen(s);
	memcpy(out, s, n + 1);
	return n;
}

/* The definition, for subnormals. */
static size_t printf_loop(double v, char *out)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, RY_DTOA_SIZE, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
	return strlen(out);
}

static const char pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* "%.Pg" of t * 10^e, where t has P digits or is 10^P (rounded up). */
static size_t put_g(char *out, bool neg, uint64_t t, int P, int e)
{
	char d[20];
	char *o = out;
	int nd = P, x;
	if (t == tens[P]) {
		t = tens[P - 1];
		e++;
	}
	x = e + P - 1; /* the decimal exponent of the first digit */
	while (nd > 2 && t % 100 == 0) {
		t /= 100;
		nd -= 2;
	}
	while (nd > 1 && t % 10 == 0) {
		t /= 10;
		nd--;
	}
	for (int i = nd; i > 0;) { /* two digits a division */
		if (i >= 2) {
			i -= 2;
			memcpy(d + i, pairs + 2 * (t % 100), 2);
			t /= 100;
		} else {
			d[--i] = (char)('0' + t);
		}
	}
	if (neg)
		*o++ = '-';
	if (x < -4 || x >= P) {
		int ax = x < 0 ? -x : x;
		*o++ = d[0];
		if (nd > 1) {
			*o++ = '.';
			memcpy(o, d + 1, (size_t)nd - 1);
			o += nd - 1;
		}
		*o++ = 'e';
		*o++ = x < 0 ? '-' : '+';
		if (ax >= 100)
			*o++ = (char)('0' + ax / 100);
		*o++ = (char)('0' + ax / 10 % 10);
		*o++ = (char)('0' + ax % 10);
	} else if (x >= 0) {
		int whole = x + 1;
		for (int i = 0; i < whole; i++)
			*o++ = i < nd ? d[i] : '0';
		if (nd > whole) {
			*o++ = '.';
			memcpy(o, d + whole, (size_t)(nd - whole));
			o += nd - whole;
		}
	} else {
		*o++ = '0';
		*o++ = '.';
		for (int i = x + 1; i < 0; i++)
			*o++ = '0';
		memcpy(o, d, (size_t)nd);
		o += nd;
	}
	*o = '\0';
	return (size_t)(o - out);
}

/* A finite nonzero normal double, scaled: floor(x * 10^-e10) for x = v, v+
 * and v- (vr, vp, vm; vr has n >= 17 digits), whether each floor lost
 * nothing (rx, px, mx), and whether the ends themselves read back (even). */
struct scaled {
	uint64_t vr, vp, vm;
	int32_t e10;
	int n;
	bool neg, even, rx, px, mx;
	/* what scaled them, to scale the ends of a neighbour's interval too */
	uint64_t mv, mant;
	uint32_t ex;
	u128 mul;
	int32_t shift, q;
	bool by_inverse; /* e2 >= 0: divided by 5^q (else multiplied by 5^i) */
};

/* Whether x * 2^e2, scaled as v is, lost nothing in its floor: x * 2^e2 /
 * 10^q with e2 >= q is whole when 5^q divides x (never past q = 23: 5^24 >
 * 2^57); x * 5^(-e2-q) / 2^q when 2^q divides x. */
static bool scaled_exact(const struct scaled *c, uint64_t x)
{
	if (c->by_inverse)
		return c->q == 0 || (c->q <= 23 && pow5_factor(x) >= c->q);
	return c->q >= 64 ? x == 0 : (x & ((1ull << c->q) - 1)) == 0;
}

/* False for what takes the printf path: subnormals (and, defensively, a
 * scaling with too few digits, which a normal double never gives). */
static bool scale(double v, struct scaled *o)
{
	uint64_t bits, mant, m2, mv, mp, mm;
	uint32_t ex;
	int32_t e2;

	memcpy(&bits, &v, sizeof bits);
	mant = bits & ((1ull << 52) - 1);
	ex = (uint32_t)(bits >> 52) & 0x7ff;
	if (ex == 0)
		return false;
	if (!__atomic_load_n(&tables_ready, __ATOMIC_ACQUIRE))
		pthread_once(&tables_once, build_tables);
	o->neg = bits >> 63;
	o->mant = mant;
	o->ex = ex;
	e2 = (int32_t)ex - 1075 - 2;
	m2 = 1ull << 52 | mant;
	o->even = (m2 & 1) == 0;
	mv = 4 * m2;
	mp = mv + 2;
	/* at a power of two the double below is half as far (except at the
	 * smallest normal exponent, whose neighbour below is as far) */
	mm = mv - 1 - (mant != 0 || ex <= 1);
	o->mv = mv;
	o->by_inverse = e2 >= 0;
	if (e2 >= 0) { /* divide by 10^q: by 5^q through its inverse */
		int32_t q = (int32_t)(((uint64_t)e2 * 3010299u) / 10000000u) - 1;
		if (q < 0)
			q = 0;
		o->mul = inv5[q];
		o->shift = -e2 + q + INV_BITS + pow5bits(q) - 1;
		o->q = q;
		o->e10 = q;
	} else { /* multiply by 5^i, divide by 2^q */
		int32_t q = (int32_t)(((uint64_t)-e2 * 6989700u) / 10000000u) - 1;
		if (q < 0)
			q = 0;
		int32_t i = -e2 - q;
		o->mul = pow5[i];
		o->shift = q - (pow5bits(i) - POW_BITS);
		o->q = q;
		o->e10 = q + e2;
	}
	o->vr = mulshift(mv, o->mul, o->shift);
	o->vp = mulshift(mp, o->mul, o->shift);
	o->vm = mulshift(mm, o->mul, o->shift);
	o->rx = scaled_exact(o, mv);
	o->px = scaled_exact(o, mp);
	o->mx = scaled_exact(o, mm);
	/* >= 10^17 for a normal double; the general count only to be safe */
	o->n = o->vr >= tens[18] ? 19 : o->vr >= tens[17] ? 18 : digits_in(o->vr);
	return o->n >= 18 || (o->n == 17 && o->rx);
}

/* For a text s (scaled, the product of rounding) that does not read back as
 * v: 1 when it reads back as the neighbouring double on its side, 2 when
 * further, -1 where the neighbour's interval is not the plain one (next to
 * a power of two, the top of a binade). */
static int steps_away(const struct scaled *c, uint64_t s)
{
	bool up = s > c->vr;
	uint64_t x, xs;
	bool xx;
	/* (and below 2^-823, where a caller's relative test |a - b| <= |a| *
	 * DBL_EPSILON would itself round into the subnormals) */
	if (c->ex < 200 || (up ? c->mant >= (1ull << 52) - 2 : c->mant <= 1))
		return -1;
	/* the neighbour's far end: 3/2 of a step from v, 6 in mv's units */
	x = up ? c->mv + 6 : c->mv - 6;
	xs = mulshift(x, c->mul, c->shift);
	xx = scaled_exact(c, x);
	if (up) /* the neighbour is even where v is odd */
		return s < xs || (s == xs && (!xx || !c->even)) ? 1 : 2;
	return s > xs || (s == xs && xx && !c->even) ? 1 : 2;
}

/* vr rounded to P digits as printf rounds (ties to even): *t, to be
 * scaled by 10^*e; the return says whether it reads back as v. */
static bool round_to(const struct scaled *c, int P, uint64_t *t, int32_t *e, uint64_t *scaled_text)
{
	int drop = c->n - P;
	uint64_t pw = tens[drop], r = c->vr / pw, rem = c->vr - r * pw, s;
	if (drop > 0 && (rem > pw / 2 || (rem == pw / 2 && (!c->rx || (r & 1)))))
		r++;
	s = r * pw;
	if (scaled_text)
		*scaled_text = s;
	*t = r;
	*e = c->e10 + drop;
	return (s < c->vp || (s == c->vp && (!c->px || c->even))) &&
	       (s > c->vm || (s == c->vm && c->mx && c->even));
}

static size_t special(double v, char *out)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	if (isnan(v))
		return put(out, "nan");
	if (isinf(v))
		return put(out, bits >> 63 ? "-inf" : "inf");
	return put(out, bits >> 63 ? "-0" : "0");
}

/* An integer below 10^15 in magnitude: its digits, under any precision
 * 15..17 (the ids, counts and steps that fill a listing). */
static bool small_integer(double v, char *out, size_t *len)
{
	char d[20];
	char *o = out;
	uint64_t u;
	int n = 0;
	if (!(v > -1e15 && v < 1e15) || v != (double)(int64_t)v || v == 0)
		return false;
	u = (uint64_t)(v < 0 ? -v : v);
	while (u) {
		d[n++] = (char)('0' + u % 10);
		u /= 10;
	}
	if (v < 0)
		*o++ = '-';
	while (n)
		*o++ = d[--n];
	*o = '\0';
	*len = (size_t)(o - out);
	return true;
}

size_t ry_dtoa(double v, char *out)
{
	struct scaled c;
	uint64_t t;
	int32_t e;
	int P = 15;
	size_t len;
	if (!isfinite(v) || v == 0)
		return special(v, out);
	if (small_integer(v, out, &len))
		return len;
	if (!scale(v, &c))
		return printf_loop(v, out);
	while (!round_to(&c, P, &t, &e, NULL) && P < 17)
		P++;
	return put_g(out, c.neg, t, P, e);
}

size_t ry_dtoa_prec(double v, int prec, char *out, int *steps)
{
	struct scaled c;
	size_t len;
	uint64_t t, s;
	int32_t e;
	int away;
	if (!isfinite(v) || v == 0 || small_integer(v, out, &len)) {
		away = isnan(v) ? -1 : 0;
		if (!isfinite(v) || v == 0)
			len = special(v, out);
	} else if (scale(v, &c)) {
		away = round_to(&c, prec, &t, &e, &s) ? 0 : steps ? steps_away(&c, s) : -1;
		len = put_g(out, c.neg, t, prec, e);
	} else {
		len = (size_t)snprintf(out, RY_DTOA_SIZE, "%.*g", prec, v);
		away = strtod(out, NULL) == v ? 0 : -1;
	}
	if (steps)
		*steps = away;
	return len;
}

size_t ry_dtoa_15_or_17(double v, char *out)
{
	int steps;
	size_t len;
	if (!isfinite(v))
		return (size_t)snprintf(out, RY_DTOA_SIZE, "%.15g", v);
	len = ry_dtoa_prec(v, 15, out, &steps);
	return steps ? ry_dtoa_prec(v, 17, out, NULL) : len;
}
