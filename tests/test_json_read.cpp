// tools/common/json_read: the strict reader the merge of shards relies on.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "common/json.h"
#include "common/json_read.h"

using tacit_tools::JsonValue;

namespace {

std::string error_of(const std::string& text) {
  JsonValue value;
  std::string error;
  CHECK_FALSE(tacit_tools::json_parse(text, &value, &error));
  return error;
}

}  // namespace

TEST_CASE("json_parse: reads what JsonWriter writes, numbers bit for bit") {
  const double values[] = {0.1, 1.0 / 3.0, 0.5281, 1e-300, 4.9406564584124654e-324,
                           1.7976931348623157e308, -2.5e-8, 123456789.123456789};
  tacit_tools::JsonWriter json;
  json.begin_object();
  json.key("numbers");
  json.numbers(values, sizeof values / sizeof values[0]);
  json.key("seed"); json.unsigned_integer(18446744073709551615ull);
  json.key("name"); json.string("tab\t\"q\" \x01 é");
  json.key("empty"); json.begin_array(); json.end_array();
  json.key("flag"); json.boolean(true);
  json.key("none"); json.null();
  json.end_object();
  JsonValue doc;
  std::string error;
  REQUIRE_MESSAGE(tacit_tools::json_parse(json.text(), &doc, &error), error);
  const JsonValue* numbers = doc.find("numbers");
  REQUIRE(numbers != nullptr);
  REQUIRE(numbers->items.size() == sizeof values / sizeof values[0]);
  for (std::size_t i = 0; i < numbers->items.size(); ++i) {
    double v = 0.0;
    REQUIRE(tacit_tools::json_double(numbers->items[i], &v));
    CHECK(std::memcmp(&v, &values[i], sizeof v) == 0);
  }
  std::uint64_t seed = 0;
  REQUIRE(tacit_tools::json_uint64(*doc.find("seed"), &seed));
  CHECK(seed == 18446744073709551615ull);
  CHECK(doc.find("name")->text == "tab\t\"q\" \x01 é");
  CHECK(doc.find("empty")->type == JsonValue::Type::array);
  CHECK(doc.find("flag")->boolean);
  CHECK(doc.find("none")->type == JsonValue::Type::null);
  CHECK(doc.find("missing") == nullptr);
  long long whole = 0;
  CHECK_FALSE(tacit_tools::json_int64(numbers->items[0], -10, 10, &whole));  // 0.1
}

TEST_CASE("json_parse: escapes and surrogate pairs decode to UTF-8") {
  JsonValue v;
  std::string error;
  REQUIRE(tacit_tools::json_parse("\"\\u00e9\\ud83d\\ude00\\/\\n\"", &v, &error));
  CHECK(v.text == "\xc3\xa9\xf0\x9f\x98\x80/\n");
}

TEST_CASE("json_parse: refuses what is not strict JSON, saying where") {
  CHECK(error_of("") == "line 1, column 1: unexpected end of the document");
  CHECK(error_of("{\"a\": 1,}") == "line 1, column 9: expected a member name in quotes");
  CHECK(error_of("[1, 2,]") == "line 1, column 7: expected a JSON value");
  CHECK(error_of("{\"a\": 1, \"a\": 2}") == "line 1, column 13: repeated key \"a\"");
  CHECK(error_of("{\n  \"a\": 01\n}") == "line 2, column 9: a number has a leading zero");
  CHECK(error_of("[1] [2]") == "line 1, column 5: unexpected text after the document");
  CHECK(error_of("\"a\tb\"") == "line 1, column 3: a control character in a string");
  CHECK(error_of("\"\\ud800\"") == "line 1, column 8: a high surrogate without its low one");
  CHECK(error_of("\"\\x\"") == "line 1, column 3: unknown escape");
  CHECK(error_of("[NaN]") == "line 1, column 2: expected a JSON value");
  CHECK(error_of("+1") == "line 1, column 1: expected a JSON value");
  CHECK(error_of("1.") == "line 1, column 3: expected a digit after '.'");
  CHECK(error_of("{\"a\" 1}") == "line 1, column 6: expected ':' after a member name");
  CHECK(error_of("[1 2]") == "line 1, column 4: expected ',' or ']' in an array");
  CHECK(error_of("\"open") == "line 1, column 6: a string is not closed");
  CHECK(error_of(std::string(65, '[') + std::string(65, ']')) ==
        "line 1, column 65: containers nested too deeply");
  JsonValue v;
  std::string error;
  CHECK(tacit_tools::json_parse(std::string(64, '[') + std::string(64, ']'), &v, &error));
}

TEST_CASE("JsonValue equality: numbers by value, objects in order") {
  JsonValue a, b;
  std::string error;
  REQUIRE(tacit_tools::json_parse("{\"x\": [1, 0.5, \"s\"], \"y\": null}", &a, &error));
  REQUIRE(tacit_tools::json_parse("{\"x\": [1.0, 5e-1, \"s\"], \"y\": null}", &b, &error));
  CHECK(a == b);
  REQUIRE(tacit_tools::json_parse("{\"y\": null, \"x\": [1, 0.5, \"s\"]}", &b, &error));
  CHECK(a != b);
}
