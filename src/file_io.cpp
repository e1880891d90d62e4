#include "file_io.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#elif defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#define TACIT_FILE_IO_POSIX 1
#endif

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

namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::FILE* open_new_file(const char* name) {
  errno = 0;
#if defined(_WIN32)
  // Microsoft's msvcrt.dll, which MinGW-w64 links by default, ignores
  // fopen's "x" and would truncate an existing file: _O_EXCL refuses it.
  const int fd = _open(name, _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
  if (fd < 0) return nullptr;
  std::FILE* f = _fdopen(fd, "wb");
  if (f == nullptr) {
    const int error = errno;
    _close(fd);
    std::remove(name);
    errno = error;
  }
  return f;
#else
  return std::fopen(name, "wbx");
#endif
}

Status create_temporary(const char* path, char* temp, std::size_t capacity, File* file) {
  // The temporary is PATH's folder as written (its separators kept), then
  // ".NAME.tmp-...".
  std::size_t folder_end = 0;  // just past the last separator
  for (std::size_t i = 0; path[i] != '\0'; ++i) {
#if defined(_WIN32)
    if (path[i] == '\\' || path[i] == ':') folder_end = i + 1;
#endif
    if (path[i] == '/') folder_end = i + 1;
  }
  const std::string folder(path, folder_end);
  std::string name(path + folder_end);
  if (name.size() > 100) name.resize(100);  // room for the suffix within NAME_MAX
  int error = 0;
  for (unsigned attempt = 0; attempt < 100; ++attempt) {
    // The clock and an address (randomized per process on most systems)
    // keep concurrent writers' names apart; the attempt, one writer's.
    const auto now = static_cast<std::uint64_t>(
        std::chrono::high_resolution_clock::now().time_since_epoch().count());
    const auto noise = static_cast<unsigned>(
        mix(now ^ mix(reinterpret_cast<std::uintptr_t>(&name)) ^ attempt) & 0xffffffffu);
    char suffix[40];
    std::snprintf(suffix, sizeof suffix, ".tmp-%u-%08x", attempt, noise);
    const std::string candidate = folder + "." + name + suffix;
    if (candidate.size() >= capacity) {
      return Status::error("%s: %zu characters; expected fewer than %zu", path,
                           std::strlen(path), capacity - (candidate.size() - std::strlen(path)));
    }
    std::memcpy(temp, candidate.c_str(), candidate.size() + 1);
    file->reset(open_new_file(temp));
    error = errno;
    if (file->get() != nullptr) return Status::success();
    if (error != EEXIST) break;
  }
  errno = error;
  return Status::error("%s: cannot create: %s", temp, errno_text());
}

Status replace_file(const char* path, Status (*write)(void* context, std::FILE* file,
                                                      const char* temp),
                    void* context) {
  char temp[4096];
  File file;
  Status status = create_temporary(path, temp, sizeof temp, &file);
  if (!status.ok()) return status;
  status = write(context, file.get(), temp);
  errno = 0;
  if (status.ok() && (std::fflush(file.get()) != 0 || std::ferror(file.get()) != 0)) {
    status = Status::error("%s: write failed: %s", temp, errno_text());
  }
  if (status.ok()) {
    errno = sync_to_disk(file.get());
    if (errno != 0) status = Status::error("%s: sync failed: %s", temp, errno_text());
  }
  errno = 0;
  if (!file.close() && status.ok()) {
    status = Status::error("%s: write failed: %s", temp, errno_text());
  }
  if (!status.ok()) {
    std::remove(temp);
    return status;
  }
  // std::filesystem::rename replaces an existing file on every platform
  // (std::rename does not on Windows).
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::remove(temp);
    return Status::error("%s: cannot replace: %s", path, ec.message().c_str());
  }
  return Status::success();
}

int sync_to_disk(std::FILE* f) {
#if defined(_WIN32)
  return _commit(_fileno(f)) == 0 ? 0 : errno;
#elif defined(TACIT_FILE_IO_POSIX)
  if (fsync(fileno(f)) == 0) return 0;
  return errno == EINVAL ? 0 : errno;  // EINVAL: a file with nothing to sync
#else
  (void)f;
  return 0;
#endif
}

}  // namespace file_detail
}  // namespace tacit
