#include "common/output_file.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "common/cli.h"
#include "file_io.h"  // libtacit's temporaries (src/), shared with checkpoint_save

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#define TACIT_OUTPUT_FILE_POSIX 1
#endif

namespace tacit_tools {

namespace {

// ---- the temporaries a signal removes ---------------------------------------
// Fixed storage, so that the handler only reads: a slot is free (0), being
// filled or emptied (1), or names a temporary the handler removes (2).
// Lock-free atomics are safe to read in a signal handler.

constexpr int kSlots = OutputFile::kMaxTemporaries;
constexpr std::size_t kNameBytes = 4096;
std::atomic<int> slot_state[kSlots];
char slot_name[kSlots][kNameBytes];

void remove_temporaries(int sig) {
  remove_open_temporaries();
  // The default action, so the exit status says which signal ended it.
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void handle(int sig) {
  if (std::signal(sig, remove_temporaries) == SIG_IGN) std::signal(sig, SIG_IGN);
}

// The slot now naming `name` for the handler, or -1 if none is free (the
// temporary is then still removed by discard(), not by a signal).
int register_temporary(const std::string& name) {
  if (name.size() >= kNameBytes) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int free = 0;
    if (!slot_state[i].compare_exchange_strong(free, 1)) continue;
    std::memcpy(slot_name[i], name.c_str(), name.size() + 1);
    slot_state[i].store(2);
    // Each time: a test framework may have put its own handler back.
    handle(SIGINT);
    handle(SIGTERM);
    return i;
  }
  return -1;
}

void release(int* slot) {
  if (*slot >= 0) slot_state[*slot].store(0);
  *slot = -1;
}

// ---- names and bytes on disk --------------------------------------------------

// The reason an earlier write into the stream failed, whose errno is gone:
// what writing one more byte says (a full disk is still full). 0 if it
// works now.
int retry_write(std::FILE* f) {
  std::clearerr(f);
  errno = 0;
  if (std::fputc(0, f) != EOF && std::fflush(f) == 0) return 0;
  return errno;
}

const char* reason(int error) {
  return error != 0 ? std::strerror(error) : "a write failed, and the system kept no reason";
}

}  // namespace

void remove_open_temporaries() {
  for (int i = 0; i < kSlots; ++i) {
    if (slot_state[i].load() != 2) continue;
#if defined(TACIT_OUTPUT_FILE_POSIX)
    unlink(slot_name[i]);  // async-signal-safe
#else
    std::remove(slot_name[i]);
#endif
  }
}

bool OutputFile::open(const std::string& path) {
  discard();
  path_ = path;
  temp_.clear();
  write_error_ = 0;
  if (path.empty()) return true;
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    std::fprintf(stderr, "%s: cannot write %s: it exists and is not a file\n", tool_,
                 path.c_str());
    return false;
  }
  // The library's rule for checkpoint_save too: created here or not at all,
  // never an existing file, on POSIX never through a symbolic link.
  char temp[4096];
  tacit::file_detail::File file;
  const tacit::Status created =
      tacit::file_detail::create_temporary(path.c_str(), temp, sizeof temp, &file);
  if (!created.ok()) {
    std::fprintf(stderr, "%s: cannot write %s: %s\n", tool_, path.c_str(), created.message());
    return false;
  }
  temp_ = temp;
  file_ = file.release();
  slot_ = register_temporary(temp_);
  return true;
}

bool OutputFile::write(const std::string& text) {
  if (file_ != nullptr) {
    errno = 0;
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() && write_error_ == 0) {
      write_error_ = errno;
    }
  }
  return commit();
}

bool OutputFile::commit() {
  if (file_ == nullptr) return path_.empty();
  std::FILE* f = file_;
  file_ = nullptr;
  // The first failure's reason: an earlier write(), the flush of what is
  // buffered (a full disk shows up here, again, if a printf into stream()
  // met it), the sync, the close.
  int error = write_error_;
  bool failed = error != 0;
  errno = 0;
  if (std::fflush(f) != 0) {
    if (!failed) error = errno;
    failed = true;
  }
  if (!failed && std::ferror(f) != 0) {
    error = retry_write(f);
    failed = true;
  }
  if (!failed) {
    error = tacit::file_detail::sync_to_disk(f);
    failed = error != 0;
  }
  errno = 0;
  if (std::fclose(f) != 0) {
    if (!failed) error = errno;
    failed = true;
  }
  if (failed) {
    std::remove(temp_.c_str());
    release(&slot_);
    std::fprintf(stderr, "%s: writing %s failed: %s; %s is left as it was\n", tool_,
                 path_.c_str(), reason(error), path_.c_str());
    return false;
  }
  // std::filesystem::rename replaces an existing file on Windows too,
  // where std::rename does not.
  std::error_code ec;
  std::filesystem::rename(temp_, path_, ec);
  release(&slot_);  // from here the temporary is the result, or gone
  if (ec) {
    std::fprintf(stderr, "%s: cannot replace %s: %s; the complete result is in %s\n", tool_,
                 path_.c_str(), ec.message().c_str(), temp_.c_str());
    return false;
  }
  return true;
}

void OutputFile::discard() {
  if (file_ == nullptr) return;
  std::fclose(file_);
  file_ = nullptr;
  std::remove(temp_.c_str());  // then release: a signal in between finds it gone
  release(&slot_);
}

bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::equivalent(a, b, ec) && !ec) return true;  // both exist: links count too
  // Neither or one exists: compare the names, made absolute (weakly_canonical
  // leaves a relative name alone when its first folder does not exist) with
  // the existing folders resolved.
  const auto resolved = [&ec](const std::string& name) {
    const fs::path absolute = fs::absolute(name, ec);
    return ec ? fs::path(name) : fs::weakly_canonical(absolute, ec).lexically_normal();
  };
  const fs::path ca = resolved(a);
  if (ec) return a == b;
  const fs::path cb = resolved(b);
  if (ec) return a == b;
  return ca == cb;
}

bool distinct_outputs(const char* tool, std::initializer_list<OutputFlag> outputs) {
  for (const OutputFlag* a = outputs.begin(); a != outputs.end(); ++a) {
    if (a->path.empty()) continue;
    for (const OutputFlag* b = a + 1; b != outputs.end(); ++b) {
      if (b->path.empty() || !same_file(a->path, b->path)) continue;
      const std::string names =
          a->path == b->path ? a->path : a->path + " and " + b->path;
      return tacit_cli::usage(tool, "%s and %s name the same file (%s); each output needs "
                              "its own", a->flag, b->flag, names.c_str());
    }
  }
  return true;
}

}  // namespace tacit_tools
