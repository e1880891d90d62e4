// A small JSON writer (objects, arrays, strings, numbers) and the
// number and string spellings the tools' --json documents share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tacit_tools {

// The shortest of %.15g, %.16g, %.17g that reads back as the same double;
// "null" for NaN and infinities (JSON has no spelling for them).
std::string format_number(double value);

// JSON string contents: \" \\ \n \r \t \b \f and \u00XX for other control
// bytes; everything else (UTF-8 included) as is.
std::string json_escape(const char* text);
// The same in quotes: a whole JSON string.
std::string json_quote(const char* text);

// Writes pretty JSON: one member or element per line, indented by two
// spaces; a `compact` array keeps its elements on one line.
class JsonWriter {
 public:
  void begin_object();
  void end_object();
  void begin_array(bool compact = false);
  void end_array();
  void key(const char* name);  // inside an object, before each value

  void string(const char* value);
  void number(double value);
  void integer(long long value);
  void unsigned_integer(std::uint64_t value);
  void boolean(bool value);
  void null();
  void numbers(const double* values, std::size_t count);  // a compact array

  // The document so far; complete once every container is closed.
  const std::string& text() const { return out_; }
  bool complete() const { return stack_.empty() && !out_.empty(); }

 private:
  struct Level {
    bool array;
    bool compact;
    bool empty;
  };
  void before_value();
  void newline();
  void close(char bracket);

  std::string out_;
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace tacit_tools
