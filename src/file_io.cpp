#include "file_io.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace tacit {
namespace file_detail {

const char* errno_text() { return errno != 0 ? std::strerror(errno) : "unknown error"; }

Status open_regular_file(const char* path, const char* field, const char* kind,
                         File* file, std::uint64_t* file_bytes) {
  if (path == nullptr || path[0] == '\0') {
    return Status::error("%s: expected a file name, found an empty one", field);
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) {
    std::error_code link_ec;
    if (fs::is_symlink(fs::symlink_status(path, link_ec))) {
      const fs::path target = fs::read_symlink(path, link_ec);
      return Status::error("%s: cannot read: a symbolic link to %s, which does not exist",
                           path, link_ec ? "a missing file" : target.string().c_str());
    }
    return Status::error("%s: cannot read: no such file", path);
  }
  if (ec) return Status::error("%s: cannot read: %s", path, ec.message().c_str());
  if (st.type() == fs::file_type::directory) {
    return Status::error("%s: is a directory; expected %s", path, kind);
  }
  if (st.type() != fs::file_type::regular) {
    return Status::error("%s: is not a regular file; expected %s", path, kind);
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

Status read_exactly(std::FILE* f, void* out, std::size_t bytes, const char* path,
                    const char* what) {
  if (bytes == 0) return Status::success();
  const std::size_t got = std::fread(out, 1, bytes, f);
  if (got == bytes) return Status::success();
  const char* sep = what != nullptr ? ": " : "";
  if (what == nullptr) what = "";
  if (std::ferror(f)) {
    return Status::error("%s%s%s: read error after %zu of %zu bytes", path, sep, what, got,
                         bytes);
  }
  return Status::error("%s%s%s: expected %zu bytes, the file ended after %zu (changed "
                       "while reading?)", path, sep, what, bytes, got);
}

}  // namespace file_detail
}  // namespace tacit
