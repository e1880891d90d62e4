#include "tacit/status.h"

#include <cstdarg>
#include <cstdio>

namespace tacit {

Status Status::error(const char* format, ...) {
  Status status;
  status.failed_ = true;
  va_list args;
  va_start(args, format);
  std::vsnprintf(status.message_, kMessageCapacity, format, args);
  va_end(args);
  return status;
}

}  // namespace tacit
