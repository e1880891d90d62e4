// Internal: reading whole files for the loaders (IDX, checkpoints), and
// the new temporary a checkpoint or an exported header is written to. The size
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
  // Hands the FILE* over to the caller, who then closes it.
  std::FILE* release() {
    std::FILE* f = f_;
    f_ = nullptr;
    return f;
  }
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

// Opens `name` for writing only if nothing of that name exists (fopen's
// "x": O_CREAT | O_EXCL on POSIX, which never follows a symbolic link, even
// a dangling one); nullptr otherwise, errno saying why (EEXIST if taken).
std::FILE* open_new_file(const char* name);

// Creates a new file to write `path` through: in PATH's folder, named
// .NAME.tmp-<attempt>-<8 hex digits> (from the clock and an address), with
// fopen's "x": never an existing file, on POSIX never through a symbolic
// link; another name is tried if one is taken. Its name goes to temp
// (capacity bytes).
Status create_temporary(const char* path, char* temp, std::size_t capacity, File* file);

// Waits until what was written to f is on stable storage, where the
// platform can say so (fsync on POSIX, _commit on Windows): 0 or an errno
// value. Flush f first.
int sync_to_disk(std::FILE* f);

// Writes a new file to replace `path` whole or not at all: a temporary
// (create_temporary), filled by write(context, file, temp) (which reports
// its own failures; a failed fwrite or fflush is noticed here as well),
// synced to disk, closed and renamed over PATH. On any failure the
// temporary is removed; PATH is untouched.
Status replace_file(const char* path, Status (*write)(void* context, std::FILE* file,
                                                      const char* temp),
                    void* context);

// Reads exactly `bytes`; `what` (may be nullptr) names the part in messages.
Status read_exactly(std::FILE* f, void* out, std::size_t bytes, const char* path,
                    const char* what);

}  // namespace file_detail
}  // namespace tacit
