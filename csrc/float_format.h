/*
 * float_format.h: the shortest decimal form of a double, for the common case only, without printf.
 *
 * xt_format_short_fixed(d, out) writes into `out` (at least XT_FLOAT_FIXED_MAX bytes) the fixed-point decimal with the
 * fewest fraction digits that reads back (strtod, round to nearest) as exactly d, and returns its length: an optional
 * '-', the integer digits, and, when there is a fraction, '.' and its digits (no trailing zeros; no ".0" for an
 * integral value). This is what printf's "%.15g"/"%.16g"/"%.17g" would print for the shortest precision that
 * round-trips, for the doubles it handles: 1e-4 <= |d| < 1e15 whose shortest form has at most 15 fraction digits and
 * fewer than 16 significant ones. For every other double (0, -0.0, NaN, infinities, tiny, huge, and 16-17 digit values)
 * it returns 0 and writes nothing, and the caller formats with printf. No locale, no allocation, no global state.
 */
#ifndef XT_FLOAT_FORMAT_H
#define XT_FLOAT_FORMAT_H

#include <stddef.h>

#define XT_FLOAT_FIXED_MAX 40

size_t xt_format_short_fixed(double d, char *out);

#endif
