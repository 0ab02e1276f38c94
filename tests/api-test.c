/* The public conventions: version, status strings, error messages naming the argument, tensor
 * descriptors (layouts, sizes, overflow), op handles (NULL, wrong counts, destroy(NULL)), and
 * outputs left untouched when a call fails. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"

static void tsr_expect_message(const char* what, const char* fragment) {
  tsr_check(strstr(tsr_last_error_message(), fragment) != NULL, what,
            "message '%s' does not mention '%s'", tsr_last_error_message(), fragment);
}

static void tsr_test_version_and_status(void) {
  tsr_check(tsr_version() == TESSERA_VERSION, "tsr_version", "%u != %u", tsr_version(),
            (unsigned)TESSERA_VERSION);
  tsr_check(strcmp(tsr_version_string(), TESSERA_VERSION_STRING) == 0, "tsr_version_string",
            "'%s'", tsr_version_string());
  for (int s = 0; s <= tsr_status_system_error; s++)
    tsr_check(strcmp(tsr_status_string((tsr_status)s), "unknown status") != 0,
              "tsr_status_string", "status %d has no name", s);
  tsr_check(strcmp(tsr_status_string((tsr_status)99), "unknown status") == 0,
            "tsr_status_string(99)", "'%s'", tsr_status_string((tsr_status)99));
  tsr_check(strcmp(tsr_status_string(tsr_status_success), "success") == 0, "status names", "success is not named success");
}

static void tsr_test_tensor_desc(void) {
  tsr_tensor_desc desc;
  const int64_t nchw[] = {2, 3, 4, 5};
  tsr_check_status(tsr_tensor_desc_init(&desc, tsr_dtype_f32, tsr_layout_plain, 4, nchw),
                   tsr_status_success, "desc plain");
  tsr_check(desc.strides[0] == 60 && desc.strides[1] == 20 && desc.strides[2] == 5 &&
                desc.strides[3] == 1, "plain strides", "%lld %lld %lld %lld",
            (long long)desc.strides[0], (long long)desc.strides[1], (long long)desc.strides[2],
            (long long)desc.strides[3]);
  tsr_check(tsr_tensor_desc_elements(&desc) == 120 && tsr_tensor_desc_bytes(&desc) == 480,
            "plain size", "%zu elements, %zu bytes", tsr_tensor_desc_elements(&desc),
            tsr_tensor_desc_bytes(&desc));
  tsr_check_status(tsr_tensor_desc_init(&desc, tsr_dtype_f32, tsr_layout_nhwc, 4, nchw),
                   tsr_status_success, "desc nhwc");
  tsr_check(desc.strides[0] == 60 && desc.strides[1] == 1 && desc.strides[2] == 15 &&
                desc.strides[3] == 3, "nhwc strides", "%lld %lld %lld %lld",
            (long long)desc.strides[0], (long long)desc.strides[1], (long long)desc.strides[2],
            (long long)desc.strides[3]);
  tsr_check_status(tsr_tensor_desc_init(&desc, tsr_dtype_f32, tsr_layout_nchw8c, 4, nchw),
                   tsr_status_success, "desc nchw8c");
  tsr_check(tsr_tensor_desc_bytes(&desc) == 2 * 8 * 4 * 5 * 4, "nchw8c bytes",
            "%zu: channels 3 must pad to 8", tsr_tensor_desc_bytes(&desc));
  const int64_t nc[] = {3, 5}, strides[] = {0, 2};
  tsr_check_status(tsr_tensor_desc_init_strided(&desc, tsr_dtype_f32, 2, nc, strides),
                   tsr_status_success, "desc strided");
  tsr_check(tsr_tensor_desc_bytes(&desc) == 9 * 4, "strided bytes", "%zu",
            tsr_tensor_desc_bytes(&desc));

  /* Failures name the argument and leave the desc untouched. */
  tsr_tensor_desc before;
  memset(&before, 0xA5, sizeof(before));
  desc = before;
  const int64_t zero[] = {2, 0, 4}, negative[] = {2, -3}, huge[] = {INT64_MAX / 2, 4, 4};
  struct {
    tsr_status status;
    const char* fragment;
    tsr_dtype dtype;
    tsr_layout layout;
    int32_t ndims;
    const int64_t* dims;
  } cases[] = {
      {tsr_status_invalid_parameter, "dims[1]", tsr_dtype_f32, tsr_layout_plain, 3, zero},
      {tsr_status_invalid_parameter, "dims[1]", tsr_dtype_f32, tsr_layout_plain, 2, negative},
      {tsr_status_invalid_parameter, "overflow", tsr_dtype_f32, tsr_layout_plain, 3, huge},
      {tsr_status_invalid_parameter, "ndims", tsr_dtype_f32, tsr_layout_plain, 0, nchw},
      {tsr_status_invalid_parameter, "ndims", tsr_dtype_f32, tsr_layout_plain, 9, nchw},
      {tsr_status_invalid_parameter, "ndims", tsr_dtype_f32, tsr_layout_nhwc, 2, nchw},
      {tsr_status_invalid_parameter, "dtype", (tsr_dtype)7, tsr_layout_plain, 4, nchw},
      {tsr_status_invalid_parameter, "layout", tsr_dtype_f32, (tsr_layout)42, 4, nchw},
      {tsr_status_invalid_parameter, "dims is NULL", tsr_dtype_f32, tsr_layout_plain, 4, NULL},
      {tsr_status_invalid_parameter, "strided", tsr_dtype_f32, tsr_layout_strided, 4, nchw},
  };
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    char what[64];
    snprintf(what, sizeof(what), "desc_init bad case %zu", c);
    tsr_check_status(tsr_tensor_desc_init(&desc, cases[c].dtype, cases[c].layout, cases[c].ndims,
                                          cases[c].dims), cases[c].status, what);
    tsr_expect_message(what, cases[c].fragment);
    tsr_check(memcmp(&desc, &before, sizeof(desc)) == 0, what, "desc written on failure");
  }
  tsr_check_status(tsr_tensor_desc_init(NULL, tsr_dtype_f32, tsr_layout_plain, 4, nchw),
                   tsr_status_invalid_parameter, "desc_init(NULL)");
  tsr_expect_message("desc_init(NULL)", "desc is NULL");
  const int64_t bad_strides[] = {1, -1};
  tsr_check_status(tsr_tensor_desc_init_strided(&desc, tsr_dtype_f32, 2, nc, bad_strides),
                   tsr_status_invalid_parameter, "strided negative");
  tsr_expect_message("strided negative", "strides[1]");
  const int64_t big_strides[] = {INT64_MAX / 2, 1};
  tsr_check_status(tsr_tensor_desc_init_strided(&desc, tsr_dtype_f32, 2, nc, big_strides),
                   tsr_status_invalid_parameter, "strided overflow");
  tsr_check_status(tsr_tensor_desc_init_strided(&desc, tsr_dtype_f32, 2, nc, NULL),
                   tsr_status_invalid_parameter, "strided NULL");
  tsr_check(tsr_tensor_desc_elements(NULL) == 0 && tsr_tensor_desc_bytes(NULL) == 0,
            "size of NULL", "not 0");
}

static void tsr_test_ops(void) {
  tsr_op_destroy(NULL);
  tsr_check(tsr_op_get_kind(NULL) == 0, "kind(NULL)", "not 0");
  tsr_check(strcmp(tsr_op_describe(NULL), "(null)") == 0, "describe(NULL)", "'%s'",
            tsr_op_describe(NULL));
  tsr_op* op = (tsr_op*)0x1;
  tsr_check_status(tsr_eltwise_create(NULL, &op), tsr_status_invalid_parameter,
                   "eltwise_create(activation NULL)");
  tsr_expect_message("eltwise_create(activation NULL)", "activation");
  const tsr_activation relu = {tsr_activation_relu, 0, 0};
  tsr_check_status(tsr_eltwise_create(&relu, NULL), tsr_status_invalid_parameter,
                   "eltwise_create(op NULL)");
  const tsr_activation bad_kind = {(tsr_activation_kind)77, 0, 0};
  tsr_check_status(tsr_eltwise_create(&bad_kind, &op), tsr_status_invalid_parameter,
                   "eltwise_create(kind 77)");
  tsr_expect_message("eltwise_create(kind 77)", "kind");
  const tsr_activation reversed = {tsr_activation_clamp, 6.0f, 0.0f};
  tsr_check_status(tsr_eltwise_create(&reversed, &op), tsr_status_invalid_parameter,
                   "eltwise_create(alpha > beta)");
  tsr_expect_message("eltwise_create(alpha > beta)", "alpha");
  const tsr_activation nan_bound = {tsr_activation_clamp, NAN, 0.0f};
  tsr_check_status(tsr_eltwise_create(&nan_bound, &op), tsr_status_invalid_parameter,
                   "eltwise_create(NaN bound)");
  tsr_check(op == (tsr_op*)0x1, "eltwise_create failures", "op written on failure");

  if (!tsr_check_status(tsr_eltwise_create(&relu, &op), tsr_status_success, "eltwise_create"))
    return;
  tsr_check(tsr_op_get_kind(op) == tsr_op_kind_eltwise, "kind", "%d", (int)tsr_op_get_kind(op));
  float x[6] = {-1, 2, -3, 4, -5, 6}, y[6];
  tsr_fill_nan(y, 6);
  const int64_t dims[] = {2, 3}, other[] = {3, 2};
  tsr_tensor in = {.data = x}, out = {.data = y};
  tsr_tensor_desc_init(&in.desc, tsr_dtype_f32, tsr_layout_plain, 2, dims);
  out.desc = in.desc;
  tsr_check_status(tsr_op_run(NULL, 1, &in, 1, &out, NULL), tsr_status_invalid_parameter, "run(op NULL)");
  tsr_expect_message("run(op NULL)", "op is NULL");
  tsr_check_status(tsr_op_run(op, 2, &in, 1, &out, NULL), tsr_status_invalid_parameter, "run(2 inputs)");
  tsr_expect_message("run(2 inputs)", "num_inputs");
  tsr_check_status(tsr_op_run(op, 1, &in, 0, NULL, NULL), tsr_status_invalid_parameter, "run(0 outputs)");
  tsr_check_status(tsr_op_run(op, 1, NULL, 1, &out, NULL), tsr_status_invalid_parameter, "run(inputs NULL)");
  tsr_tensor no_data = out;
  no_data.data = NULL;
  tsr_check_status(tsr_op_run(op, 1, &in, 1, &no_data, NULL), tsr_status_invalid_parameter, "run(output data NULL)");
  tsr_expect_message("run(output data NULL)", "tsr_op_run: outputs[0]: data is NULL");
  tsr_tensor mismatched = out;
  tsr_tensor_desc_init(&mismatched.desc, tsr_dtype_f32, tsr_layout_plain, 2, other);
  tsr_check_status(tsr_op_run(op, 1, &in, 1, &mismatched, NULL), tsr_status_invalid_parameter, "run(mismatched dims)");
  tsr_expect_message("run(mismatched dims)", "outputs[0]");
  tsr_tensor hand_made = in;
  hand_made.desc.strides[0] = 7; /* inconsistent with the plain layout */
  tsr_check_status(tsr_op_run(op, 1, &hand_made, 1, &out, NULL), tsr_status_invalid_parameter, "run(bad strides)");
  tsr_expect_message("run(bad strides)", "tsr_op_run: inputs[0]: strides[0]");
  hand_made = in;
  hand_made.desc.dims[1] = 0;
  tsr_check_status(tsr_op_run(op, 1, &hand_made, 1, &out, NULL), tsr_status_invalid_parameter, "run(dim 0)");
  tsr_tensor ints = in;
  tsr_tensor_desc_init(&ints.desc, tsr_dtype_s32, tsr_layout_plain, 2, dims);
  tsr_check_status(tsr_op_run(op, 1, &ints, 1, &ints, NULL), tsr_status_unsupported_parameter, "run(s32)");
  tsr_tensor strided = in;
  const int64_t strides[] = {3, 1};
  tsr_tensor_desc_init_strided(&strided.desc, tsr_dtype_f32, 2, dims, strides);
  tsr_check_status(tsr_op_run(op, 1, &strided, 1, &strided, NULL), tsr_status_unsupported_parameter, "run(strided)");
  tsr_check_untouched("failed runs", y, 6);
  tsr_check_status(tsr_op_run(op, 1, &in, 1, &out, NULL), tsr_status_success, "run");
  const float expected[6] = {0, 2, 0, 4, 0, 6};
  tsr_check_close("relu by hand", y, expected, 6, 0.0, 0.0);
  tsr_op_destroy(op);
}

int main(void) {
  tsr_test_version_and_status();
  tsr_test_tensor_desc();
  tsr_test_ops();
  return tsr_test_finish();
}
