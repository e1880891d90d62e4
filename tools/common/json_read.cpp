#include "common/json_read.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tacit_tools {

namespace {

class Parser {
 public:
  Parser(const std::string& text, std::string* error) : s_(text), error_(error) {}

  bool document(JsonValue* out) {
    space();
    if (!value(out, 0)) return false;
    space();
    if (i_ != s_.size()) return fail("unexpected text after the document");
    return true;
  }

 private:
  bool fail(const char* why) {
    int line = 1, column = 1;
    for (std::size_t k = 0; k < i_ && k < s_.size(); ++k) {
      if (s_[k] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    char where[64];
    std::snprintf(where, sizeof where, "line %d, column %d: ", line, column);
    *error_ = where + std::string(why);
    return false;
  }

  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[i_]; }

  void space() {
    while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) {
      ++i_;
    }
  }

  bool literal(const char* word) {
    const std::size_t n = std::strlen(word);
    if (s_.compare(i_, n, word) != 0) return fail("expected a JSON value");
    i_ += n;
    return true;
  }

  bool value(JsonValue* out, int depth) {
    if (at_end()) return fail("unexpected end of the document");
    const char c = peek();
    if (c == '{' || c == '[') {
      if (depth >= kJsonMaxDepth) return fail("containers nested too deeply");
      return c == '{' ? object(out, depth + 1) : array(out, depth + 1);
    }
    if (c == '"') {
      out->type = JsonValue::Type::string;
      return string(&out->text);
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number(out);
    if (c == 't' || c == 'f') {
      out->type = JsonValue::Type::boolean;
      out->boolean = c == 't';
      return literal(c == 't' ? "true" : "false");
    }
    out->type = JsonValue::Type::null;
    return literal("null");
  }

  bool object(JsonValue* out, int depth) {
    out->type = JsonValue::Type::object;
    ++i_;
    space();
    if (peek() == '}') return ++i_, true;
    for (;;) {
      space();
      if (peek() != '"') return fail("expected a member name in quotes");
      std::string key;
      if (!string(&key)) return false;
      if (out->find(key.c_str()) != nullptr) return fail(("repeated key \"" + key + "\"").c_str());
      space();
      if (peek() != ':') return fail("expected ':' after a member name");
      ++i_;
      space();
      out->members.emplace_back(key, JsonValue());
      if (!value(&out->members.back().second, depth)) return false;
      space();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (peek() == '}') return ++i_, true;
      return fail("expected ',' or '}' in an object");
    }
  }

  bool array(JsonValue* out, int depth) {
    out->type = JsonValue::Type::array;
    ++i_;
    space();
    if (peek() == ']') return ++i_, true;
    for (;;) {
      space();
      out->items.emplace_back();
      if (!value(&out->items.back(), depth)) return false;
      space();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (peek() == ']') return ++i_, true;
      return fail("expected ',' or ']' in an array");
    }
  }

  bool digits() {
    const std::size_t start = i_;
    while (!at_end() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }

  // -?(0|[1-9]D*)(.D+)?([eE][+-]?D+)?
  bool number(JsonValue* out) {
    const std::size_t start = i_;
    if (peek() == '-') ++i_;
    if (peek() == '0') {
      ++i_;
    } else if (!digits()) {
      return fail("expected a digit");
    }
    if (peek() == '.') {
      ++i_;
      if (!digits()) return fail("expected a digit after '.'");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++i_;
      if (peek() == '+' || peek() == '-') ++i_;
      if (!digits()) return fail("expected a digit in the exponent");
    }
    if (peek() >= '0' && peek() <= '9') return fail("a number has a leading zero");
    out->type = JsonValue::Type::number;
    out->text = s_.substr(start, i_ - start);
    return true;
  }

  bool hex4(unsigned* out) {
    if (s_.size() - i_ < 4) return fail("expected 4 hex digits after \\u");
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_ + k];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        return fail("expected 4 hex digits after \\u");
      }
    }
    i_ += 4;
    *out = v;
    return true;
  }

  static void utf8(unsigned code, std::string* out) {
    if (code < 0x80) {
      *out += static_cast<char>(code);
    } else if (code < 0x800) {
      *out += static_cast<char>(0xc0 | (code >> 6));
      *out += static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      *out += static_cast<char>(0xe0 | (code >> 12));
      *out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
      *out += static_cast<char>(0xf0 | (code >> 18));
      *out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
      *out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (code & 0x3f));
    }
  }

  bool escape(std::string* out) {
    const char c = peek();
    ++i_;
    switch (c) {
      case '"': *out += '"'; return true;
      case '\\': *out += '\\'; return true;
      case '/': *out += '/'; return true;
      case 'b': *out += '\b'; return true;
      case 'f': *out += '\f'; return true;
      case 'n': *out += '\n'; return true;
      case 'r': *out += '\r'; return true;
      case 't': *out += '\t'; return true;
      case 'u': break;
      default: --i_; return fail("unknown escape");
    }
    unsigned code = 0;
    if (!hex4(&code)) return false;
    if (code >= 0xdc00 && code <= 0xdfff) return fail("a lone low surrogate");
    if (code >= 0xd800 && code <= 0xdbff) {
      unsigned low = 0;
      if (s_.compare(i_, 2, "\\u") != 0) return fail("a high surrogate without its low one");
      i_ += 2;
      if (!hex4(&low)) return false;
      if (low < 0xdc00 || low > 0xdfff) return fail("a high surrogate without its low one");
      code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
    }
    utf8(code, out);
    return true;
  }

  bool string(std::string* out) {
    ++i_;  // the opening quote
    for (;;) {
      if (at_end()) return fail("a string is not closed");
      const char c = s_[i_];
      if (c == '"') return ++i_, true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("a control character in a string");
      ++i_;
      if (c == '\\') {
        if (!escape(out)) return false;
      } else {
        *out += c;
      }
    }
  }

  const std::string& s_;
  std::string* error_;
  std::size_t i_ = 0;
};

}  // namespace

const JsonValue* JsonValue::find(const char* key) const {
  for (const auto& member : members) {
    if (member.first == key) return &member.second;
  }
  return nullptr;
}

bool operator==(const JsonValue& a, const JsonValue& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case JsonValue::Type::null: return true;
    case JsonValue::Type::boolean: return a.boolean == b.boolean;
    case JsonValue::Type::string: return a.text == b.text;
    case JsonValue::Type::number: {
      double x = 0.0, y = 0.0;
      return json_double(a, &x) && json_double(b, &y) && x == y;
    }
    case JsonValue::Type::array: return a.items == b.items;
    case JsonValue::Type::object: return a.members == b.members;
  }
  return false;
}

bool json_parse(const std::string& text, JsonValue* out, std::string* error) {
  *out = JsonValue();
  return Parser(text, error).document(out);
}

bool json_double(const JsonValue& value, double* out) {
  if (value.type != JsonValue::Type::number) return false;
  *out = std::strtod(value.text.c_str(), nullptr);
  return true;
}

bool json_int64(const JsonValue& value, long long min, long long max, long long* out) {
  if (value.type != JsonValue::Type::number) return false;
  if (value.text.find_first_of(".eE") != std::string::npos) return false;
  errno = 0;
  const long long v = std::strtoll(value.text.c_str(), nullptr, 10);
  if (errno != 0 || v < min || v > max) return false;
  *out = v;
  return true;
}

bool json_uint64(const JsonValue& value, std::uint64_t* out) {
  if (value.type != JsonValue::Type::number || value.text[0] == '-') return false;
  if (value.text.find_first_of(".eE") != std::string::npos) return false;
  errno = 0;
  const unsigned long long v = std::strtoull(value.text.c_str(), nullptr, 10);
  if (errno != 0) return false;
  *out = v;
  return true;
}

}  // namespace tacit_tools
