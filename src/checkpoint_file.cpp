// Checkpoint files: the memory format (checkpoint.cpp) through a buffer the
// caller provides. The file's size is known before anything is read, so a
// short or long file is reported as such, not as a checksum mismatch.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "checkpoint_internal.h"
#include "tacit/checkpoint.h"

namespace tacit {
namespace {

class File {
 public:
  File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File() {
    if (f_ != nullptr) std::fclose(f_);
  }
  std::FILE* get() const { return f_; }
  // Closes now, reporting what fclose says (a full disk shows up here).
  bool close() {
    std::FILE* f = f_;
    f_ = nullptr;
    return std::fclose(f) == 0;
  }
  void reset(std::FILE* f) { f_ = f; }

 private:
  std::FILE* f_ = nullptr;
};

const char* errno_text() { return errno != 0 ? std::strerror(errno) : "unknown error"; }

Status open_for_reading(const char* path, File* file, std::uint64_t* file_bytes) {
  if (path == nullptr || path[0] == '\0') {
    return Status::error("checkpoint path: expected a file name, found an empty one");
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) {
    return Status::error("%s: cannot read: no such file", path);
  }
  if (ec) return Status::error("%s: cannot read: %s", path, ec.message().c_str());
  if (st.type() == fs::file_type::directory) {
    return Status::error("%s: is a directory; expected a checkpoint file", path);
  }
  if (st.type() != fs::file_type::regular) {
    return Status::error("%s: is not a regular file; expected a checkpoint file", path);
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return Status::error("%s: cannot read its size: %s", path, ec.message().c_str());
  errno = 0;
  file->reset(std::fopen(path, "rb"));
  if (file->get() == nullptr) {
    return Status::error("%s: cannot open: %s", path, errno_text());
  }
  *file_bytes = size;
  return Status::success();
}

Status read_exactly(std::FILE* f, unsigned char* out, std::size_t bytes,
                    const char* path) {
  if (bytes == 0) return Status::success();
  const std::size_t got = std::fread(out, 1, bytes, f);
  if (got == bytes) return Status::success();
  if (std::ferror(f)) {
    return Status::error("%s: read error after %zu of %zu bytes", path, got, bytes);
  }
  return Status::error("%s: expected %zu bytes, the file ended after %zu (changed while "
                       "reading?)", path, bytes, got);
}

}  // namespace

Status checkpoint_file_spec(const char* path, MlpSpec* spec) {
  File file;
  std::uint64_t file_bytes = 0;
  Status status = open_for_reading(path, &file, &file_bytes);
  if (!status.ok()) return status;
  unsigned char header[kCheckpointMaxHeaderBytes];
  const std::size_t have = file_bytes < sizeof header ? static_cast<std::size_t>(file_bytes)
                                                      : sizeof header;
  status = read_exactly(file.get(), header, have, path);
  if (!status.ok()) return status;
  return checkpoint_parse_spec(header, have, path, spec);
}

Status checkpoint_save(const char* path, const Mlp& mlp, unsigned char* buffer,
                       std::size_t capacity) {
  if (path == nullptr || path[0] == '\0') {
    return Status::error("checkpoint path: expected a file name, found an empty one");
  }
  Status status = checkpoint_write(mlp, buffer, capacity);
  if (!status.ok()) return status;
  const std::size_t bytes = checkpoint_bytes(mlp.spec);
  File file;
  errno = 0;
  file.reset(std::fopen(path, "wb"));
  if (file.get() == nullptr) {
    return Status::error("%s: cannot create: %s", path, errno_text());
  }
  errno = 0;
  if (std::fwrite(buffer, 1, bytes, file.get()) != bytes) {
    return Status::error("%s: write failed: %s", path, errno_text());
  }
  errno = 0;
  if (!file.close()) return Status::error("%s: write failed: %s", path, errno_text());
  return Status::success();
}

Status checkpoint_load(const char* path, unsigned char* buffer, std::size_t capacity,
                       Mlp& mlp) {
  const std::size_t needed = checkpoint_bytes(mlp.spec);
  if (buffer == nullptr || capacity < needed) {
    return Status::error("%s: checkpoint buffer: expected %zu bytes (checkpoint_bytes), "
                         "found %zu", path ? path : "(null)", needed,
                         buffer == nullptr ? std::size_t{0} : capacity);
  }
  File file;
  std::uint64_t file_bytes = 0;
  Status status = open_for_reading(path, &file, &file_bytes);
  if (!status.ok()) return status;
  // A longer file is read only as far as a right-sized one would go: enough
  // for every check before the size, which then reports the extra bytes.
  const std::size_t have = file_bytes < needed ? static_cast<std::size_t>(file_bytes)
                                               : needed;
  status = read_exactly(file.get(), buffer, have, path);
  if (!status.ok()) return status;
  if (file_bytes != needed) {
    // Fails: the size is wrong, and earlier fields may be too.
    return checkpoint_detail::check(buffer, have, file_bytes, path, mlp);
  }
  if (std::fgetc(file.get()) != EOF) {
    return Status::error("%s: trailing bytes: the file grew while being read", path);
  }
  return checkpoint_read(buffer, needed, path, mlp);
}

}  // namespace tacit
