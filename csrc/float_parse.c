/*
 * float_parse.c: m * 10^e correctly rounded (contract in float_parse.h).
 *
 * With 10^|e| < 2^64 the value is an exact 128-bit quotient or product: for e < 0, N = m << s (s puts N's top bit at
 * bit 127) and m * 10^e = (q + r / 10^-e) / 2^s with q, r the quotient and remainder of N / 10^-e; q has at least 63
 * bits, so rounding it to 53 bits with r != 0 as a sticky bit below all of q's bits is the correct rounding of the
 * exact value. For e >= 0 the product m * 10^e is exact and rounded the same way with no remainder.
 *
 * Speed (e < 0, every coordinate of canada.json): s is chosen so that N < 10^-e * 2^64, which makes q fit 64 bits
 * (and still have at least 63, ten more than the rounding needs). The division is then one 128-by-64-bit hardware
 * divide on x86-64 instead of the compiler's general 128-bit division routine, and the double is assembled from its
 * bits (the values are always normal: 1e-19 <= m * 10^e < 2^64) instead of through ldexp().
 */
#include "float_parse.h"

#include "float_format.h" /* xt_pow10_u64, the powers of ten both float files use */

#include <math.h>
#include <string.h>

#if defined(__SIZEOF_INT128__)

typedef unsigned __int128 u128;

static int bits128(u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);
    if (hi)
        return 128 - __builtin_clzll(hi);
    return (uint64_t)x ? 64 - __builtin_clzll((uint64_t)x) : 0;
}

/* q * 2^-s, rounded to 53 bits; `sticky` says the exact value lies strictly above q (a remainder below q's bits). */
static double round_to_double(u128 q, int s, int sticky)
{
    int b = bits128(q), shift = b - 53;
    uint64_t mant;
    u128 rest, half;

    if (shift <= 0) /* only without a remainder: then q is exact in a double */
        return ldexp((double)(uint64_t)q, -s);
    mant = (uint64_t)(q >> shift);
    rest = q & (((u128)1 << shift) - 1);
    half = (u128)1 << (shift - 1);
    if (rest > half || (rest == half && (sticky || (mant & 1))))
        mant++;
    if (mant == (1ULL << 53)) {
        mant >>= 1;
        shift++;
    }
    return ldexp((double)mant, shift - s);
}

/* n / dv and its remainder, for n < dv * 2^64 (so the quotient fits 64 bits). */
static inline uint64_t div_128_64(u128 n, uint64_t dv, uint64_t *rem)
{
#if defined(__x86_64__) && defined(__GNUC__)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"((uint64_t)n), "d"((uint64_t)(n >> 64)), "rm"(dv) : "cc");
    *rem = r;
    return q;
#else
    *rem = (uint64_t)(n % dv);
    return (uint64_t)(n / dv);
#endif
}

/* q * 2^-s rounded to 53 bits, for q of 63 or 64 bits and a normal result; `sticky` as in round_to_double. */
static inline double round64_to_double(uint64_t q, int s, int sticky)
{
    int shift = 64 - __builtin_clzll(q) - 53; /* 10 or 11 */
    uint64_t mant = q >> shift, rest = q & ((1ULL << shift) - 1), half = 1ULL << (shift - 1), bits;
    double v;

    if (rest > half || (rest == half && (sticky || (mant & 1))))
        mant++;
    if (mant == (1ULL << 53)) {
        mant >>= 1;
        shift++;
    }
    /* mant * 2^(shift - s) with mant in [2^52, 2^53): biased exponent shift - s + 52 + 1023 */
    bits = ((uint64_t)(shift - s + 52 + 1023) << 52) | (mant & ((1ULL << 52) - 1));
    memcpy(&v, &bits, sizeof v);
    return v;
}

int xt_decimal_to_double(uint64_t m, long e, double *out)
{
    if (m == 0 || e < -19 || e > 19)
        return 0;
    if (e >= 0) {
        *out = round_to_double((u128)m * xt_pow10_u64[e], 0, 0);
    } else {
        uint64_t dv = xt_pow10_u64[-e], r, q;
        /* N gets bits(dv) + 63 bits: N < 2^(bits(dv) - 1) * 2^64 <= dv * 2^64 */
        int s = (64 - __builtin_clzll(dv)) + 63 - (64 - __builtin_clzll(m));
        q = div_128_64((u128)m << s, dv, &r);
        *out = round64_to_double(q, s, r != 0);
    }
    return 1;
}

#else

int xt_decimal_to_double(uint64_t m, long e, double *out)
{
    (void)m;
    (void)e;
    (void)out;
    return 0;
}

#endif
