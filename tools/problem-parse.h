/* Parsing benchdnn-style problem descriptors and option values, strictly: anything malformed is
 * rejected with a message saying what and where, never guessed at. */
#ifndef TSR_TOOLS_PROBLEM_PARSE_H
#define TSR_TOOLS_PROBLEM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/// Splits `descriptor` into its body and an optional trailing n"name". Returns 0, or -1 with a
/// message in `error` (unterminated or empty name, text after the name, empty body, too long).
int tsr_split_name(const char* descriptor, char* body, size_t body_size, char* name,
                   size_t name_size, char* error, size_t error_size);

/// Parses "AxBxC..." (1 to max_dims positive integers below 2^40). Returns the number of dims,
/// or -1 with a message.
int tsr_parse_dims(const char* text, int64_t* dims, int max_dims, char* error, size_t error_size);

/// Parses benchdnn's keyed form, e.g. "g32mb1ic32ih112oc32oh112kh3ph1": a run of key-integer
/// pairs, keys taken from `keys` (longest match first). values[i] and present[i] are set for
/// each key found. Returns 0, or -1 with a message (unknown key, missing or oversized number,
/// repeated key).
int tsr_parse_keyed(const char* text, const char* const* keys, size_t num_keys, int64_t* values,
                    bool* present, char* error, size_t error_size);

/// Parses a whole decimal integer in [min, max]. Returns 0 or -1.
int tsr_parse_int(const char* text, int64_t min, int64_t max, int64_t* value);
/// Parses a whole finite float. Returns 0 or -1.
int tsr_parse_float(const char* text, float* value);
/// The index of `text` among `count` names (an option's allowed values), or -1.
int tsr_parse_choice(const char* text, const char* const* names, size_t count);

#endif
