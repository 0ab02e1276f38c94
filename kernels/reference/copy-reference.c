#include "kernels/reference/copy-reference.h"

/* An odometer over a view: the index and the element offset it addresses, advanced in row-major
 * order by carrying from the last dim. */
struct tsr_odometer {
  int64_t index[TSR_MAX_DIMS];
  int64_t offset;
};

static void tsr_odometer_advance(const struct tsr_strided_view* v, struct tsr_odometer* o) {
  for (int32_t d = v->ndims - 1; d >= 0; d--) {
    o->offset += v->strides[d];
    if (++o->index[d] < v->dims[d]) return;
    o->offset -= v->strides[d] * v->dims[d];
    o->index[d] = 0;
  }
}

void tsr_reference_copy_f32(const struct tsr_strided_view* xv, const float* x,
                            const struct tsr_strided_view* yv, float* y, size_t count) {
  struct tsr_odometer ox = {{0}, 0}, oy = {{0}, 0};
  for (size_t i = 0; i < count; i++) {
    y[oy.offset] = x[ox.offset];
    tsr_odometer_advance(xv, &ox);
    tsr_odometer_advance(yv, &oy);
  }
}
