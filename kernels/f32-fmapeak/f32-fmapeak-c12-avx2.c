#include <immintrin.h>
#include "kernels/f32-fmapeak/f32-fmapeak.h"

/* acc = acc * a + b with a < 1 converges to b / (1 - a): values stay normal, never denormal. */
float tsr_f32_fmapeak__avx2_c12(size_t iterations) {
  const __m256 va = _mm256_set1_ps(0.999f);
  const __m256 vb = _mm256_set1_ps(0.001f);
  __m256 vacc0 = _mm256_set1_ps(0.0f);
  __m256 vacc1 = _mm256_set1_ps(1.0f);
  __m256 vacc2 = _mm256_set1_ps(2.0f);
  __m256 vacc3 = _mm256_set1_ps(3.0f);
  __m256 vacc4 = _mm256_set1_ps(4.0f);
  __m256 vacc5 = _mm256_set1_ps(5.0f);
  __m256 vacc6 = _mm256_set1_ps(6.0f);
  __m256 vacc7 = _mm256_set1_ps(7.0f);
  __m256 vacc8 = _mm256_set1_ps(8.0f);
  __m256 vacc9 = _mm256_set1_ps(9.0f);
  __m256 vacc10 = _mm256_set1_ps(10.0f);
  __m256 vacc11 = _mm256_set1_ps(11.0f);
  for (size_t i = 0; i < iterations; i++) {
    vacc0 = _mm256_fmadd_ps(vacc0, va, vb);
    vacc1 = _mm256_fmadd_ps(vacc1, va, vb);
    vacc2 = _mm256_fmadd_ps(vacc2, va, vb);
    vacc3 = _mm256_fmadd_ps(vacc3, va, vb);
    vacc4 = _mm256_fmadd_ps(vacc4, va, vb);
    vacc5 = _mm256_fmadd_ps(vacc5, va, vb);
    vacc6 = _mm256_fmadd_ps(vacc6, va, vb);
    vacc7 = _mm256_fmadd_ps(vacc7, va, vb);
    vacc8 = _mm256_fmadd_ps(vacc8, va, vb);
    vacc9 = _mm256_fmadd_ps(vacc9, va, vb);
    vacc10 = _mm256_fmadd_ps(vacc10, va, vb);
    vacc11 = _mm256_fmadd_ps(vacc11, va, vb);
  }
  vacc0 = _mm256_add_ps(vacc0, vacc1);
  vacc2 = _mm256_add_ps(vacc2, vacc3);
  vacc4 = _mm256_add_ps(vacc4, vacc5);
  vacc6 = _mm256_add_ps(vacc6, vacc7);
  vacc8 = _mm256_add_ps(vacc8, vacc9);
  vacc10 = _mm256_add_ps(vacc10, vacc11);
  vacc0 = _mm256_add_ps(vacc0, vacc2);
  vacc4 = _mm256_add_ps(vacc4, vacc6);
  vacc8 = _mm256_add_ps(vacc8, vacc10);
  vacc0 = _mm256_add_ps(vacc0, vacc4);
  vacc0 = _mm256_add_ps(vacc0, vacc8);
  return _mm_cvtss_f32(_mm256_castps256_ps128(vacc0));
}
