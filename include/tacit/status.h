// What can fail returns a Status: no exceptions, no heap. The message is held
// inline so that reporting an error never allocates.
#pragma once

#include <cstddef>

namespace tacit {

class Status {
 public:
  static constexpr std::size_t kMessageCapacity = 256;

  static Status success() { return Status(); }
  // printf-style; the message is truncated to kMessageCapacity - 1 bytes.
  static Status error(const char* format, ...)
#if defined(__GNUC__) || defined(__clang__)
      __attribute__((format(printf, 1, 2)))
#endif
      ;

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const char* message() const { return failed_ ? message_ : "ok"; }

 private:
  bool failed_ = false;
  char message_[kMessageCapacity] = {};
};

}  // namespace tacit
