// What can fail returns a Status: no exceptions, no heap, and small enough
// (16 bytes on 64-bit targets, 8 on 32-bit ones) to return by value on a
// microcontroller's stack.
//
// The message of an error is formatted once, when the error is made, into
// one of kMessageSlots slots of kMessageCapacity bytes kept per thread (per
// program in a build without threads); the Status points at its slot. The
// text stays readable until kMessageSlots more errors are made on the same
// thread; after that message() says the text was replaced, and ok() still
// tells the truth. Read a message on the thread that made the error, while
// that thread runs (tacit makes every error on the caller's thread).
#pragma once

#include <cstddef>
#include <cstdint>

// Checks a printf-style format against its arguments (format string at
// argument f, values from argument a). MinGW's compilers check "printf"
// against Microsoft's runtime, which lacks %zu and %llu; tacit's builds for
// Windows use MinGW's C99 printf (__USE_MINGW_ANSI_STDIO, set in
// meson.build), whose format rules are GNU's.
#if defined(__MINGW32__)
#define TACIT_PRINTF_FORMAT(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__) || defined(__clang__)
#define TACIT_PRINTF_FORMAT(f, a) __attribute__((format(printf, f, a)))
#else
#define TACIT_PRINTF_FORMAT(f, a)
#endif

namespace tacit {

class Status {
 public:
  static constexpr std::size_t kMessageCapacity = 256;
  static constexpr int kMessageSlots = 4;

  static Status success() { return Status(); }
  // printf-style; the message is truncated to kMessageCapacity - 1 bytes.
  static Status error(const char* format, ...) TACIT_PRINTF_FORMAT(1, 2);

  bool ok() const { return slot_ == nullptr; }
  explicit operator bool() const { return ok(); }
  // "ok" for success; the error's text while its slot still holds it.
  const char* message() const;

  struct Slot {
    std::uint32_t serial = 0;
    char text[kMessageCapacity] = {};
  };

 private:
  const Slot* slot_ = nullptr;  // null: success
  std::uint32_t serial_ = 0;    // which error of its thread this is
};

}  // namespace tacit
