/*
 * float_format.c: the shortest fixed-point form of a double (contract in float_format.h).
 *
 * For k = 0, 1, 2, ... fraction digits, the candidates are the integers c next to d * 10^k. With c < 2^53 and
 * k <= 22 both c and 10^k are exact doubles, so the one IEEE division c / 10^k is the correctly rounded value of the
 * decimal c * 10^-k, i.e. what strtod returns for it: the round-trip test is exact, with no string and no strtod.
 * The first k with a candidate that passes gives the fewest fraction digits, hence the fewest significant digits.
 */
#include "float_format.h"

#include <math.h>
#include <stdint.h>

static const double pow10_exact[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

#define TWO_53       9007199254740992.0
#define MAX_FRACTION 15
/* printf's %.15g prints at most 15 significant digits before it would try 16 or 17: stay within what 15 covers so
 * the output is byte for byte what the printf path wrote for the same double. */
#define MAX_SIGNIFICANT 15

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
    int k;

    /* %g's fixed notation range at precision 15 (exponent -4 to 14) */
    if (!(a >= 1e-4 && a < 1e15))
        return 0; /* also NaN, zeros, infinities */
    for (k = 0; k <= MAX_FRACTION; k++) {
        double p = pow10_exact[k], scaled = a * p, r = floor(scaled + 0.5);
        double cand[3];
        int i;
        if (r + 1 >= TWO_53)
            return 0;
        cand[0] = r;
        cand[1] = r - 1;
        cand[2] = r + 1;
        for (i = 0; i < 3; i++) {
            uint64_t c, ip, fp;
            char digits[24], *q = out;
            int n, lead, sig, j;
            if (cand[i] < 1 || cand[i] / p != a)
                continue;
            c = (uint64_t)cand[i];
            n = decimal_digits(c);
            /* significant digits: c's digits without its trailing zeros (k is minimal, so c % 10 != 0 when k > 0) */
            sig = n;
            if (k == 0)
                for (ip = c; ip % 10 == 0 && sig > 1; ip /= 10)
                    sig--;
            if (sig > MAX_SIGNIFICANT)
                return 0;
            if (d < 0)
                *q++ = '-';
            ip = c / (uint64_t)p;
            fp = c % (uint64_t)p;
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
    }
    return 0;
}
