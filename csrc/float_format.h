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
#include <stdint.h>

#define XT_FLOAT_FIXED_MAX 40

size_t xt_format_short_fixed(double d, char *out);

/* Decimal digits for the number writers (the encoder's integers too): "00" "01" ... "99", and 10^0 .. 10^19. */
extern const char xt_digit_pairs[201];
extern const uint64_t xt_pow10_u64[20];

/* How many decimal digits c has (1 for 0). */
static inline int xt_decimal_digits(uint64_t c)
{
#if defined(__GNUC__)
    int t = ((64 - __builtin_clzll(c | 1)) * 1233) >> 12; /* bits * log10(2): the count or one less */
    t += (c >= xt_pow10_u64[t]);
    return t + (t == 0);
#else
    int n = 1;
    while (n < 20 && c >= xt_pow10_u64[n])
        n++;
    return n;
#endif
}

/* Writes the n decimal digits of c (leading zeros if c has fewer) ending just before `end`. */
static inline void xt_put_digits(char *end, uint64_t c, int n)
{
    while (n >= 2) {
        unsigned r = (unsigned)(c % 100);
        c /= 100;
        end -= 2;
        end[0] = xt_digit_pairs[2 * r];
        end[1] = xt_digit_pairs[2 * r + 1];
        n -= 2;
    }
    if (n > 0)
        *--end = (char)('0' + c % 10);
}

#endif
