/* Inputs spread over the whole float range and errors in ulps, for checking approximated
 * functions (the activations) against their definitions evaluated in double precision. */
#ifndef TSR_TESTS_FLOAT_RANGE_H
#define TSR_TESTS_FLOAT_RANGE_H

#include <stddef.h>

/// How many inputs tsr_float_range_inputs writes at most.
#define TSR_FLOAT_RANGE_MAX_INPUTS 2300000

/// About two million inputs spread evenly over the bit patterns of both signs (tiny, subnormal,
/// huge), a dense grid on [-20, 20], and special values (+-0, +-inf, NaN, FLT_MIN, FLT_MAX, ...);
/// returns how many.
size_t tsr_float_range_inputs(float* x);

/// The error of y in ulps of the correctly rounded value of `exact` (in units of 2^-149 below
/// 2^-126); 0 when both are NaN or the same infinity, infinite when only one is.
double tsr_ulp_error(float y, double exact);

#endif
