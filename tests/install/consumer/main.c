/* Uses tessera the way a new user would after installing it: a ReLU over a small tensor. */
#include <stdio.h>
#include <tessera.h>

int main(void) {
  if (tsr_version() != TESSERA_VERSION) {
    fprintf(stderr, "header %s but library %s\n", TESSERA_VERSION_STRING, tsr_version_string());
    return 1;
  }
  float x[6] = {-2, -1, 0, 1, 2, 3}, y[6];
  const int64_t dims[] = {1, 6};
  tsr_tensor in = {.data = x}, out = {.data = y};
  tsr_tensor_desc_init(&in.desc, tsr_dtype_f32, tsr_layout_plain, 2, dims);
  out.desc = in.desc;
  const tsr_activation relu = {tsr_activation_relu, 0.0f, 0.0f};
  tsr_op* op = NULL;
  tsr_threadpool* pool = NULL;
  if (tsr_eltwise_create(&relu, &op) != tsr_status_success ||
      tsr_threadpool_create(2, &pool) != tsr_status_success ||
      tsr_op_run(op, 1, &in, 1, &out, pool) != tsr_status_success) {
    fprintf(stderr, "failed: %s\n", tsr_last_error_message());
    return 1;
  }
  tsr_op_destroy(op);
  tsr_threadpool_destroy(pool);
  for (int i = 0; i < 6; i++)
    if (y[i] != (x[i] > 0 ? x[i] : 0)) return 1;
  printf("consumer: tessera %s ran %s correctly\n", tsr_version_string(), "relu");
  return 0;
}
