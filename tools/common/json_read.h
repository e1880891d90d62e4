// A strict JSON reader (RFC 8259, C++17 standard library only) for the
// documents the tools write: a tree of values, numbers kept as written so a
// reader can take them as exact integers or as the double strtod gives
// (format_number's spellings read back bit for bit).
//
// Strict: one value and only whitespace around it; no trailing commas,
// comments, NaN, leading '+' or zeros, unescaped control characters, lone
// surrogates or repeated keys; at most kJsonMaxDepth nested containers.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tacit_tools {

constexpr int kJsonMaxDepth = 64;

struct JsonValue {
  enum class Type { null, boolean, number, string, array, object };
  Type type = Type::null;
  bool boolean = false;
  std::string text;  // a string's contents (UTF-8), or a number as written
  std::vector<JsonValue> items;                            // an array's elements
  std::vector<std::pair<std::string, JsonValue>> members;  // an object's, in order

  // The member named key of an object, or nullptr.
  const JsonValue* find(const char* key) const;
};

// Same type and contents; objects member by member in order, numbers by
// their value as doubles.
bool operator==(const JsonValue& a, const JsonValue& b);
inline bool operator!=(const JsonValue& a, const JsonValue& b) { return !(a == b); }

// Parses a whole document into *out. False with *error = "line L, column C:
// what was wrong".
bool json_parse(const std::string& text, JsonValue* out, std::string* error);

// A number's value: the nearest double (strtod), or an exact integer in
// range. False if the value is not a number (or not such an integer).
bool json_double(const JsonValue& value, double* out);
bool json_int64(const JsonValue& value, long long min, long long max, long long* out);
bool json_uint64(const JsonValue& value, std::uint64_t* out);

}  // namespace tacit_tools
