// Internal: reading whole files for the loaders (IDX, checkpoints). The size
// on disk is known before any byte is trusted, so a loader can tell a short
// or long file from a corrupt one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "tacit/status.h"

namespace tacit {
namespace file_detail {

// Owns a FILE*; closes it on destruction.
class File {
 public:
  File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File() {
    if (f_ != nullptr) std::fclose(f_);
  }
  std::FILE* get() const { return f_; }
  void reset(std::FILE* f) { f_ = f; }
  // Closes now, reporting what fclose says (a full disk shows up here).
  bool close() {
    std::FILE* f = f_;
    f_ = nullptr;
    return std::fclose(f) == 0;
  }

 private:
  std::FILE* f_ = nullptr;
};

// strerror(errno), or "unknown error" when errno says nothing.
const char* errno_text();

// Opens a regular file for reading and gives its size. A missing or empty
// path, a directory, a device or an unreadable file is refused with a
// message; `field` names the path in them ("IDX path"), `kind` what was
// expected ("an IDX file").
Status open_regular_file(const char* path, const char* field, const char* kind,
                         File* file, std::uint64_t* file_bytes);

// Reads exactly `bytes`; `what` (may be nullptr) names the part in messages.
Status read_exactly(std::FILE* f, void* out, std::size_t bytes, const char* path,
                    const char* what);

}  // namespace file_detail
}  // namespace tacit
