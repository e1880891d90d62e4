// printf onto the end of a string: how the tools' reports build their text.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <string>

#include "tacit/status.h"  // TACIT_PRINTF_FORMAT

namespace tacit_tools {

TACIT_PRINTF_FORMAT(2, 3)
inline void appendf(std::string* out, const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  char text[512];
  const int length = std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  if (length > 0 && static_cast<std::size_t>(length) < sizeof text) {
    out->append(text, static_cast<std::size_t>(length));
  } else if (length > 0) {
    // Too long for the stack: print again straight into the string.
    const std::size_t start = out->size();
    out->resize(start + static_cast<std::size_t>(length) + 1);
    std::vsnprintf(&(*out)[start], static_cast<std::size_t>(length) + 1, format, again);
    out->resize(start + static_cast<std::size_t>(length));
  }
  va_end(again);
}

}  // namespace tacit_tools
