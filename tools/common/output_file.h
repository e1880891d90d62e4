// An output file that replaces its path only once complete. It is created
// as PATH.tmp before the work starts, so that a bad path fails in a second
// rather than after an hour, and renamed over PATH when written, so that a
// failed, interrupted or quick rerun never leaves an empty or half-written
// file where an earlier result was.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace tacit_tools {

class OutputFile {
 public:
  explicit OutputFile(const char* tool) : tool_(tool) {}
  ~OutputFile() { discard(); }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // An empty path asks for no file: open and write then do nothing.
  bool open(const std::string& path) {
    discard();
    path_ = path;
    if (path.empty()) return true;
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
      std::fprintf(stderr, "%s: cannot write %s: it exists and is not a file\n", tool_,
                   path.c_str());
      return false;
    }
    temp_ = path + ".tmp";
    file_ = std::fopen(temp_.c_str(), "wb");
    if (file_ == nullptr) {
      std::fprintf(stderr, "%s: cannot write %s (as %s first): %s\n", tool_, path.c_str(),
                   temp_.c_str(), std::strerror(errno));
    }
    return file_ != nullptr;
  }

  // Writes the whole text and puts it in place of PATH.
  bool write(const std::string& text) {
    if (file_ != nullptr) std::fwrite(text.data(), 1, text.size(), file_);
    return commit();
  }

  // For writers that print into a stream: what they print goes to PATH.tmp
  // (nullptr when no file was asked for) until commit().
  std::FILE* stream() const { return file_; }

  // Puts what was written in place of PATH (std::filesystem::rename
  // replaces an existing file on Windows too, where std::rename does not).
  // False, with PATH untouched, if any write failed; if only the rename
  // failed, the finished result is left in PATH.tmp and the message says so.
  bool commit() {
    if (file_ == nullptr) return path_.empty();
    const bool written = std::ferror(file_) == 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!written || !closed) {
      std::fprintf(stderr, "%s: writing %s failed\n", tool_, temp_.c_str());
      std::remove(temp_.c_str());
      return false;
    }
    std::error_code ec;
    std::filesystem::rename(temp_, path_, ec);
    if (ec) {
      std::fprintf(stderr, "%s: cannot replace %s: %s; the result is in %s\n", tool_,
                   path_.c_str(), ec.message().c_str(), temp_.c_str());
      return false;
    }
    return true;
  }

 private:
  // Unwritten: PATH keeps whatever it held before.
  void discard() {
    if (file_ == nullptr) return;
    std::fclose(file_);
    file_ = nullptr;
    std::remove(temp_.c_str());
  }

  const char* tool_;
  std::string path_, temp_;
  std::FILE* file_ = nullptr;
};

}  // namespace tacit_tools
