#include "tools/problem-parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TSR_MAX_DIM ((int64_t)1 << 40)

int tsr_split_name(const char* descriptor, char* body, size_t body_size, char* name,
                   size_t name_size, char* error, size_t error_size) {
  const char* quote = strstr(descriptor, "n\"");
  size_t body_length = quote ? (size_t)(quote - descriptor) : strlen(descriptor);
  name[0] = '\0';
  if (quote != NULL) {
    const char* start = quote + 2;
    const char* end = strchr(start, '"');
    if (end == NULL) {
      snprintf(error, error_size, "the name n\"...\" is not closed");
      return -1;
    }
    if (end == start) {
      snprintf(error, error_size, "the name n\"\" is empty");
      return -1;
    }
    if (end[1] != '\0') {
      snprintf(error, error_size, "unexpected text '%s' after the name", end + 1);
      return -1;
    }
    if ((size_t)(end - start) >= name_size) {
      snprintf(error, error_size, "the name is longer than %zu characters", name_size - 1);
      return -1;
    }
    memcpy(name, start, (size_t)(end - start));
    name[end - start] = '\0';
  }
  if (body_length == 0) {
    snprintf(error, error_size, "the problem is empty");
    return -1;
  }
  if (body_length >= body_size) {
    snprintf(error, error_size, "the problem is longer than %zu characters", body_size - 1);
    return -1;
  }
  memcpy(body, descriptor, body_length);
  body[body_length] = '\0';
  return 0;
}

/* Reads a positive integer below TSR_MAX_DIM at *text; advances past it. -1 if none or too big. */
static int tsr_read_positive(const char** text, int64_t* value, bool allow_zero) {
  const char* p = *text;
  if (!isdigit((unsigned char)*p)) return -1;
  int64_t v = 0;
  while (isdigit((unsigned char)*p)) {
    v = v * 10 + (*p - '0');
    if (v >= TSR_MAX_DIM) return -1;
    p++;
  }
  if (v == 0 && !allow_zero) return -1;
  *value = v;
  *text = p;
  return 0;
}

int tsr_parse_dims(const char* text, int64_t* dims, int max_dims, char* error, size_t error_size) {
  int count = 0;
  const char* p = text;
  for (;;) {
    if (count == max_dims) {
      snprintf(error, error_size, "'%s' has more than %d dims", text, max_dims);
      return -1;
    }
    if (tsr_read_positive(&p, &dims[count], false) != 0) {
      snprintf(error, error_size, "'%s': expected a dimension from 1 to 2^40 at '%s'", text, p);
      return -1;
    }
    count++;
    if (*p == '\0') return count;
    if (*p != 'x') {
      snprintf(error, error_size, "'%s': expected 'x' between dims at '%s'", text, p);
      return -1;
    }
    p++;
  }
}

int tsr_parse_keyed(const char* text, const char* const* keys, size_t num_keys, int64_t* values,
                    bool* present, char* error, size_t error_size) {
  for (size_t k = 0; k < num_keys; k++) present[k] = false;
  const char* p = text;
  if (*p == '\0') {
    snprintf(error, error_size, "the problem is empty");
    return -1;
  }
  while (*p != '\0') {
    size_t best = num_keys, best_length = 0;
    for (size_t k = 0; k < num_keys; k++) {
      const size_t length = strlen(keys[k]);
      if (length > best_length && strncmp(p, keys[k], length) == 0) {
        best = k;
        best_length = length;
      }
    }
    if (best == num_keys) {
      snprintf(error, error_size, "'%s': unknown key at '%s'", text, p);
      return -1;
    }
    if (present[best]) {
      snprintf(error, error_size, "'%s': key '%s' appears twice", text, keys[best]);
      return -1;
    }
    p += best_length;
    if (tsr_read_positive(&p, &values[best], true) != 0) {
      snprintf(error, error_size, "'%s': key '%s' needs a number from 0 to 2^40", text, keys[best]);
      return -1;
    }
    present[best] = true;
  }
  return 0;
}

int tsr_parse_int(const char* text, int64_t min, int64_t max, int64_t* value) {
  if (text == NULL || *text == '\0' || isspace((unsigned char)*text)) return -1;
  char* end = NULL;
  errno = 0;
  const long long v = strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max) return -1;
  *value = v;
  return 0;
}

int tsr_parse_float(const char* text, float* value) {
  if (text == NULL || *text == '\0' || isspace((unsigned char)*text)) return -1;
  char* end = NULL;
  errno = 0;
  const float v = strtof(text, &end);
  if (errno != 0 || *end != '\0' || !isfinite(v)) return -1;
  *value = v;
  return 0;
}

int tsr_parse_choice(const char* text, const char* const* names, size_t count) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(text, names[i]) == 0) return (int)i;
  return -1;
}
