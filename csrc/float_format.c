/*
 * float_format.c: the shortest fixed-point form of a double (contract in float_format.h).
 *
 * d = M * 2^E exactly (M a 53-bit integer, E < 0 in the range handled). For k = 0, 1, 2, ... fraction digits, c_k is
 * d * 10^k rounded half to even, computed exactly in 128-bit integers (what glibc's printf rounds to), and c_k
 * reads back as d iff c_k / 10^k lies inside d's rounding interval, (2M - 1) / 2 .. (2M + 1) / 2 units of 2^E (the
 * lower half as wide below a power of two), ends included when M is even: also an exact integer comparison. The first
 * such k gives the fewest fraction digits, hence the fewest significant digits; at 17 significant digits c_k always
 * reads back. This is printf's %.15g/%.16g/%.17g loop in integers: the same digits, without printf or strtod.
 */
#include "float_format.h"

#include <math.h>
#include <stdint.h>

#if defined(__SIZEOF_INT128__)

typedef unsigned __int128 u128;

#define MAX_FRACTION 21 /* 17 significant digits of 1e-4 */

static int decimal_digits(uint64_t c)
{
    int n = 1;
    while (c >= 10) {
        c /= 10;
        n++;
    }
    return n;
}

size_t xt_format_short_fixed(double d, char *out)
{
    double a = fabs(d);
    int ex, k, sh;
    uint64_t m;
    u128 p10 = 1;

    /* %g's fixed notation at precision 15..17 (decimal exponent -4 to 14) */
    if (!(a >= 1e-4 && a < 1e15))
        return 0; /* also NaN, zeros, infinities */
    m = (uint64_t)ldexp(frexp(a, &ex), 53);
    sh = 53 - ex; /* a = m * 2^-sh, 3 <= sh <= 67 here */
    for (k = 0; k <= MAX_FRACTION; k++, p10 *= 10) {
        u128 num = (u128)m * p10, half = (u128)1 << (sh - 1), rest = num & (((u128)1 << sh) - 1);
        uint64_t c = (uint64_t)(num >> sh), ip, fp, pk;
        int sig, lead, j;
        char digits[24], *q = out;

        if (rest > half || (rest == half && (c & 1)))
            c++;
        if (c == 0)
            continue;
        sig = decimal_digits(c);
        if (sig < 17) {
            /* inside the rounding interval: c * 2^(sh+1) against (2m +- 1) * 10^k (4m - 1 below a power of two) */
            u128 x = (u128)c << (sh + 1), hi = (u128)(2 * m + 1) * p10, lo;
            int inside;
            if (m == (1ULL << 52))
                inside = ((u128)c << (sh + 2)) > (u128)(4 * m - 1) * p10;
            else
                inside = x > (lo = (u128)(2 * m - 1) * p10) || (x == lo && !(m & 1));
            inside = inside && (x < hi || (x == hi && !(m & 1)));
            if (!inside)
                continue;
        } else if (sig > 17) {
            return 0; /* cannot happen in this range; printf decides */
        }
        pk = 1;
        for (j = 0; j < k; j++)
            pk *= 10;
        ip = c / pk;
        fp = c % pk;
        while (k > 0 && fp % 10 == 0) { /* %g drops trailing zeros */
            fp /= 10;
            pk /= 10;
            k--;
        }
        if (d < 0)
            *q++ = '-';
        lead = decimal_digits(ip);
        for (j = lead - 1; j >= 0; j--) {
            digits[j] = (char)('0' + ip % 10);
            ip /= 10;
        }
        for (j = 0; j < lead; j++)
            *q++ = digits[j];
        if (k > 0) {
            *q++ = '.';
            for (j = k - 1; j >= 0; j--) {
                digits[j] = (char)('0' + fp % 10);
                fp /= 10;
            }
            for (j = 0; j < k; j++)
                *q++ = digits[j];
        }
        return (size_t)(q - out);
    }
    return 0;
}

#else

size_t xt_format_short_fixed(double d, char *out)
{
    (void)d;
    (void)out;
    return 0;
}

#endif
