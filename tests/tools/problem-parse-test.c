/* The descriptor parser: hand-checked good and bad inputs, then thousands of random and mutated
 * strings, which must each be accepted or rejected with a message, never crash or overrun (run
 * under the sanitizers in CI). */
#include <stdio.h>
#include <string.h>

#include "tests/harness/harness.h"
#include "tools/problem-parse.h"

static const char* const tsr_conv_keys[] = {"g", "mb", "ic", "ih", "iw", "id", "oc", "oh", "ow", "od",
                                            "kh", "kw", "kd", "sh", "sw", "sd", "ph", "pw", "pd", "dh"};
#define TSR_NUM_KEYS (sizeof(tsr_conv_keys) / sizeof(tsr_conv_keys[0]))

static void tsr_test_known(void) {
  char body[256], name[64], error[256];
  int64_t dims[8], values[TSR_NUM_KEYS];
  bool present[TSR_NUM_KEYS];
  tsr_check(tsr_split_name("32x64n\"relu.b32\"", body, sizeof(body), name, sizeof(name), error, sizeof(error)) == 0 &&
                strcmp(body, "32x64") == 0 && strcmp(name, "relu.b32") == 0, "split name", "%s / %s", body, name);
  tsr_check(tsr_split_name("7x7", body, sizeof(body), name, sizeof(name), error, sizeof(error)) == 0 &&
                name[0] == '\0', "split no name", "%s", name);
  const char* bad_names[] = {"n\"x\"", "3n\"", "3n\"\"", "3n\"a\"b", ""};
  for (size_t i = 0; i < 5; i++)
    tsr_check(tsr_split_name(bad_names[i], body, sizeof(body), name, sizeof(name), error, sizeof(error)) == -1,
              "split bad name", "'%s' accepted", bad_names[i]);
  tsr_check(tsr_parse_dims("32x64x112x112", dims, 8, error, sizeof(error)) == 4 && dims[0] == 32 &&
                dims[3] == 112, "dims", "32x64x112x112");
  const char* bad_dims[] = {"", "x", "3x", "x3", "3xx3", "0x3", "-3", "3x-1", "1x2x3x4x5x6x7x8x9",
                            "99999999999999999999", "3 x 4", "3X4", "3x4 "};
  for (size_t i = 0; i < sizeof(bad_dims) / sizeof(bad_dims[0]); i++)
    tsr_check(tsr_parse_dims(bad_dims[i], dims, 8, error, sizeof(error)) == -1, "bad dims",
              "'%s' accepted", bad_dims[i]);
  tsr_check(tsr_parse_keyed("g32mb1ic32ih112oc32oh112kh3ph1", tsr_conv_keys, TSR_NUM_KEYS, values,
                            present, error, sizeof(error)) == 0 && values[0] == 32 && present[1] &&
                values[1] == 1 && values[3] == 112 && values[16] == 1 && !present[12], "keyed", "%s", error);
  const char* bad_keyed[] = {"", "mb", "mb1mb2", "zz3", "ic3ih", "ic-3", "ic99999999999999", "ic3 ih3"};
  for (size_t i = 0; i < sizeof(bad_keyed) / sizeof(bad_keyed[0]); i++)
    tsr_check(tsr_parse_keyed(bad_keyed[i], tsr_conv_keys, TSR_NUM_KEYS, values, present, error,
                              sizeof(error)) == -1 && error[0] != '\0', "bad keyed", "'%s' accepted", bad_keyed[i]);
  int64_t v;
  float f;
  tsr_check(tsr_parse_int("12", 1, 100, &v) == 0 && v == 12, "int", "12");
  tsr_check(tsr_parse_int("0", 1, 100, &v) == -1 && tsr_parse_int("12a", 1, 100, &v) == -1 &&
                tsr_parse_int("", 1, 100, &v) == -1 && tsr_parse_int(" 1", 1, 100, &v) == -1 &&
                tsr_parse_int("99999999999999999999999", 1, 100, &v) == -1, "bad ints", "accepted");
  tsr_check(tsr_parse_float("-1.5", &f) == 0 && f == -1.5f, "float", "-1.5");
  tsr_check(tsr_parse_float("nan", &f) == -1 && tsr_parse_float("inf", &f) == -1 &&
                tsr_parse_float("1e99", &f) == -1 && tsr_parse_float("1.0x", &f) == -1, "bad floats", "accepted");
}

static void tsr_test_random(void) {
  tsr_rng rng = tsr_rng_seeded(2024);
  static const char alphabet[] = "0123456789xnmbicohkwsdpgl\"-+.eE ,=\t\\%\x01\xff";
  char text[200], body[64], name[16], error[256];
  int64_t dims[8], values[TSR_NUM_KEYS];
  bool present[TSR_NUM_KEYS];
  size_t accepted = 0;
  for (int trial = 0; trial < 20000; trial++) {
    const size_t length = tsr_rng_below(&rng, sizeof(text) - 1);
    for (size_t i = 0; i < length; i++) text[i] = alphabet[tsr_rng_below(&rng, sizeof(alphabet) - 1)];
    text[length] = '\0';
    if (trial % 2 == 0 && length > 4) memcpy(text, "mb1ic", 5);
    error[0] = '\0';
    const int a = tsr_split_name(text, body, sizeof(body), name, sizeof(name), error, sizeof(error));
    const int b = tsr_parse_dims(text, dims, 8, error, sizeof(error));
    const int c = tsr_parse_keyed(text, tsr_conv_keys, TSR_NUM_KEYS, values, present, error, sizeof(error));
    accepted += (a == 0) + (b > 0) + (c == 0);
    if ((a != 0 || b < 0 || c != 0) && error[0] == '\0') {
      tsr_check(false, "random input", "rejected without a message: '%s'", text);
      return;
    }
  }
  tsr_check(true, "random inputs", "every rejection had a message");
  printf("20000 random strings parsed, %zu accepted somewhere\n", accepted);
}

int main(void) {
  tsr_test_known();
  tsr_test_random();
  return tsr_test_finish();
}
