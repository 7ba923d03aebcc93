/*
 * float_format.h: the shortest decimal form of a double, for the common case only, without printf.
 *
 * xt_format_short_fixed(d, out) writes into `out` (at least XT_FLOAT_FIXED_MAX bytes) the fixed-point decimal with the
 * fewest fraction digits that reads back (strtod, round to nearest) as exactly d, and returns its length: an optional
 * '-', the integer digits, and, when there is a fraction, '.' and its digits (no trailing zeros; no ".0" for an
 * integral value). These are the bytes printf's "%.15g", else "%.16g", else "%.17g" (the first that round-trips)
 * writes in the C locale, for every double with 1e-4 <= |d| < 1e15. For every other double (0, -0.0, NaN,
 * infinities, smaller, bigger) and where the compiler has no 128-bit integers it returns 0 and writes nothing, and
 * the caller formats with printf. Exact integer arithmetic: no locale, no allocation, no global state.
 */
#ifndef XT_FLOAT_FORMAT_H
#define XT_FLOAT_FORMAT_H

#include <stddef.h>

#define XT_FLOAT_FIXED_MAX 40

size_t xt_format_short_fixed(double d, char *out);

#endif
