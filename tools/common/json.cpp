#include "common/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace tacit_tools {

std::string format_number(double value) {
  if (!std::isfinite(value)) return "null";
  char text[40];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

std::string json_escape(const char* text) {
  std::string out;
  for (const char* p = text; *p != '\0'; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", c);
          out += escape;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string json_quote(const char* text) { return '"' + json_escape(text) + '"'; }

void JsonWriter::newline() {
  out_ += '\n';
  out_.append(2 * stack_.size(), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  Level& level = stack_.back();
  if (!level.empty) out_ += level.compact ? ", " : ",";
  if (!level.compact) newline();
  level.empty = false;
}

void JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  stack_.push_back({false, false, true});
}

void JsonWriter::begin_array(bool compact) {
  before_value();
  out_ += '[';
  stack_.push_back({true, compact, true});
}

void JsonWriter::close(char bracket) {
  const Level level = stack_.back();
  stack_.pop_back();
  if (!level.empty && !level.compact) newline();
  out_ += bracket;
  if (stack_.empty()) out_ += '\n';
}

void JsonWriter::end_object() { close('}'); }
void JsonWriter::end_array() { close(']'); }

void JsonWriter::key(const char* name) {
  before_value();
  out_ += json_quote(name);
  out_ += ": ";
  after_key_ = true;
}

void JsonWriter::string(const char* value) {
  before_value();
  out_ += json_quote(value);
}

void JsonWriter::number(double value) {
  before_value();
  out_ += format_number(value);
}

void JsonWriter::integer(long long value) {
  before_value();
  out_ += std::to_string(value);
}

void JsonWriter::unsigned_integer(std::uint64_t value) {
  before_value();
  out_ += std::to_string(value);
}

void JsonWriter::boolean(bool value) {
  before_value();
  out_ += value ? "true" : "false";
}

void JsonWriter::null() {
  before_value();
  out_ += "null";
}

void JsonWriter::numbers(const double* values, std::size_t count) {
  begin_array(true);
  for (std::size_t i = 0; i < count; ++i) number(values[i]);
  end_array();
}

}  // namespace tacit_tools
