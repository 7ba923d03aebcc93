/*
 * float_parse.h: the correctly rounded double of a decimal m * 10^e, for the common case only, without strtod.
 *
 * xt_decimal_to_double(m, e, &out) stores in *out the double nearest to m * 10^e (ties to even, as strtod rounds)
 * and returns 1, for 1 <= m < 2^64 and -19 <= e <= 19; otherwise it returns 0 and the caller uses strtod. The result
 * is exact integer arithmetic (128-bit), so it is the same on every platform and under valgrind. No global state.
 */
#ifndef XT_FLOAT_PARSE_H
#define XT_FLOAT_PARSE_H

#include <stdint.h>

int xt_decimal_to_double(uint64_t m, long e, double *out);

#endif
