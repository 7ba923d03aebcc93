/*
 * float_format.c: the shortest fixed-point form of a double (contract in float_format.h).
 *
 * d = M * 2^E exactly (M a 53-bit integer, E < 0 in the range handled). For k fraction digits, c_k is d * 10^k
 * rounded half to even, computed exactly in 128-bit integers (what glibc's printf rounds to), and c_k reads back as d
 * iff c_k / 10^k lies inside d's rounding interval, (2M - 1) / 2 .. (2M + 1) / 2 units of 2^E (the lower half as
 * wide below a power of two), ends included when M is even: also an exact integer comparison. The first such k gives
 * the fewest fraction digits, hence the fewest significant digits; at 17 significant digits c_k always reads back.
 * This is printf's %.15g/%.16g/%.17g loop in integers: the same digits, without printf or strtod.
 *
 * The search starts at k15, the k of 15 significant digits, not at 0: a c_j (j < k15) inside the interval is within
 * half a unit of 2^E of d, less than 0.12 units of 10^-k15 (d < 10^15 units of it), so c_k15 = c_j * 10^(k15 - j)
 * and both read as the same digits once trailing zeros go. So at most three candidates are tried (15, 16, 17
 * digits) where a search from 0 tries up to twenty: canada.json's 17-digit coordinates are the case that matters.
 */
#include "float_format.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

const char xt_digit_pairs[201] = "00010203040506070809"
                                 "10111213141516171819"
                                 "20212223242526272829"
                                 "30313233343536373839"
                                 "40414243444546474849"
                                 "50515253545556575859"
                                 "60616263646566676869"
                                 "70717273747576777879"
                                 "80818283848586878889"
                                 "90919293949596979899";

const uint64_t xt_pow10_u64[20] = {1ULL,
                                   10ULL,
                                   100ULL,
                                   1000ULL,
                                   10000ULL,
                                   100000ULL,
                                   1000000ULL,
                                   10000000ULL,
                                   100000000ULL,
                                   1000000000ULL,
                                   10000000000ULL,
                                   100000000000ULL,
                                   1000000000000ULL,
                                   10000000000000ULL,
                                   100000000000000ULL,
                                   1000000000000000ULL,
                                   10000000000000000ULL,
                                   100000000000000000ULL,
                                   1000000000000000000ULL,
                                   10000000000000000000ULL};

#if defined(__SIZEOF_INT128__)

typedef unsigned __int128 u128;

#define MAX_FRACTION 21 /* 17 significant digits of 1e-4 */

/* 10^e as the nearest double, e = -4..14 (exact for e >= 0) */
static const double pow10_double[19] = {1e-4, 1e-3, 1e-2, 1e-1, 1e0,  1e1,  1e2,  1e3,  1e4, 1e5,
                                        1e6,  1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14};

size_t xt_format_short_fixed(double d, char *out)
{
    double a = fabs(d);
    int ex, e10, k, sh;
    uint64_t m;
    u128 p10;

    /* %g's fixed notation at precision 15..17 (decimal exponent -4 to 14) */
    if (!(a >= 1e-4 && a < 1e15))
        return 0; /* also NaN, zeros, infinities */
    m = (uint64_t)ldexp(frexp(a, &ex), 53);
    sh = 53 - ex; /* a = m * 2^-sh, 3 <= sh <= 67 here */
    /* 2^(ex-1) <= a < 2^ex: floor(ex * log10 2) is floor(log10 a) or one more; the double powers settle it (one
     * too high below 1 where the double 10^e is below the real one: a wasted candidate, never a missed one) */
    e10 = (ex * 78913) >> 18;
    if (e10 > 14)
        e10 = 14;
    if (a < pow10_double[e10 + 4])
        e10--;
    k = 14 - e10;
    p10 = xt_pow10_u64[k];
    for (; k <= MAX_FRACTION; k++, p10 *= 10) {
        u128 num = (u128)m * p10, half = (u128)1 << (sh - 1), rest = num & (((u128)1 << sh) - 1);
        uint64_t c = (uint64_t)(num >> sh);
        int sig, lead;
        char *q = out;

        if (rest > half || (rest == half && (c & 1)))
            c++;
        sig = xt_decimal_digits(c);
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
        while (k > 0 && c % 10 == 0) { /* %g drops trailing zeros */
            c /= 10;
            sig--;
            k--;
        }
        if (d < 0)
            *q++ = '-';
        lead = sig - k; /* integer digits; below 1 (lead <= 0) "0." and -lead zeros come first */
        if (lead <= 0) {
            *q++ = '0';
            *q++ = '.';
            memset(q, '0', (size_t)-lead);
            q += -lead;
            xt_put_digits(q + sig, c, sig);
            q += sig;
        } else if (k == 0) {
            xt_put_digits(q + sig, c, sig);
            q += sig;
        } else {
            xt_put_digits(q + sig + 1, c % xt_pow10_u64[k], k);
            q[lead] = '.';
            xt_put_digits(q + lead, c / xt_pow10_u64[k], lead);
            q += sig + 1;
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
