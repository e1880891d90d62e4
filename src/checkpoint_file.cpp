// Checkpoint files: the memory format (checkpoint.cpp) through a buffer the
// caller provides. The file's size is known before anything is read, so a
// short or long file is reported as such, not as a checksum mismatch.
#include <cerrno>
#include <cstdint>
#include <cstdio>

#include "checkpoint_internal.h"
#include "file_io.h"
#include "tacit/checkpoint.h"

namespace tacit {

using file_detail::File;
using file_detail::errno_text;
using file_detail::open_regular_file;
using file_detail::read_exactly;
using file_detail::replace_file;

namespace {

struct Bytes {
  const unsigned char* data;
  std::size_t size;
};

Status write_bytes(void* context, std::FILE* file, const char* temp) {
  const Bytes& bytes = *static_cast<const Bytes*>(context);
  errno = 0;
  if (std::fwrite(bytes.data, 1, bytes.size, file) != bytes.size) {
    return Status::error("%s: write failed: %s", temp, errno_text());
  }
  return Status::success();
}

}  // namespace

Status checkpoint_file_spec(const char* path, MlpSpec* spec) {
  File file;
  std::uint64_t file_bytes = 0;
  Status status =
      open_regular_file(path, "checkpoint path", "a checkpoint file", &file, &file_bytes);
  if (!status.ok()) return status;
  unsigned char header[kCheckpointMaxHeaderBytes];
  const std::size_t have = file_bytes < sizeof header ? static_cast<std::size_t>(file_bytes)
                                                      : sizeof header;
  status = read_exactly(file.get(), header, have, path, nullptr);
  if (!status.ok()) return status;
  MlpSpec parsed;
  status = checkpoint_parse_spec(header, have, path, &parsed);
  if (!status.ok()) return status;
  // The header's widths are a claim until the file's real size agrees: a
  // caller sizes memory from this spec.
  status = checkpoint_detail::check_size(parsed, file_bytes, path);
  if (!status.ok()) return status;
  *spec = parsed;
  return Status::success();
}

Status checkpoint_save(const char* path, const Mlp& mlp, unsigned char* buffer,
                       std::size_t capacity) {
  if (path == nullptr || path[0] == '\0') {
    return Status::error("checkpoint path: expected a file name, found an empty one");
  }
  Status status = checkpoint_write(mlp, buffer, capacity);
  if (!status.ok()) return status;
  // Written to a new temporary next to PATH, then renamed over PATH: a full
  // disk or a crash never leaves a truncated checkpoint where a good one
  // was, and no existing file (another writer's temporary, a planted link)
  // is ever opened.
  Bytes bytes{buffer, checkpoint_bytes(mlp.spec)};
  return replace_file(path, write_bytes, &bytes);
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
  Status status =
      open_regular_file(path, "checkpoint path", "a checkpoint file", &file, &file_bytes);
  if (!status.ok()) return status;
  // A longer file is read only as far as a right-sized one would go: enough
  // for every check before the size, which then reports the extra bytes.
  const std::size_t have = file_bytes < needed ? static_cast<std::size_t>(file_bytes)
                                               : needed;
  status = read_exactly(file.get(), buffer, have, path, nullptr);
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
