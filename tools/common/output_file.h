// An output file that replaces its path only once complete.
//
// open() creates a new temporary file in PATH's folder, named
// .NAME.tmp-<attempt>-<hex>, exclusively, as checkpoint_save does
// (src/file_io.h): an existing file or symbolic link of that name is never
// opened or followed (another name is tried instead). It does so before the work starts, so that a bad path
// fails in a second rather than after an hour; PATH itself is not touched.
// commit() flushes the temporary to stable storage and renames it over
// PATH, so a failed, interrupted or quick rerun never leaves an empty or
// half-written file where an earlier result was, and two runs writing the
// same PATH each write their own temporary: the last to finish leaves its
// whole result.
//
// The temporary is removed when a write fails, when the OutputFile is
// destroyed without commit(), and when SIGINT or SIGTERM ends the program:
// open() installs a handler that removes every open temporary and then
// re-raises the signal with its default action, so the exit status still
// says which signal it was (a signal the program ignores stays ignored).
// Up to kMaxTemporaries temporaries are removed that way at once.
#pragma once

#include <cstddef>
#include <cstdio>
#include <initializer_list>
#include <string>

namespace tacit_tools {

// Removes every temporary still open (up to OutputFile::kMaxTemporaries): for exits
// that skip destructors, a signal or running out of memory. Only reads
// fixed storage, so a signal handler may call it.
void remove_open_temporaries();

class OutputFile {
 public:
  static constexpr int kMaxTemporaries = 16;

  explicit OutputFile(const char* tool) : tool_(tool) {}
  ~OutputFile() { discard(); }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Creates the temporary for PATH; false, with the reason on stderr, if
  // it cannot be created or PATH is something other than a file. An empty
  // path asks for no file: open and write then do nothing.
  bool open(const std::string& path);

  // Writes the whole text and puts it in place of PATH (commit()).
  bool write(const std::string& text);

  // For writers that print into a stream: what they print goes to the
  // temporary (nullptr when no file was asked for) until commit().
  std::FILE* stream() const { return file_; }

  // Puts what was written in place of PATH. False, with PATH untouched and
  // the temporary removed, if any write failed; if only the rename failed,
  // the finished result stays in the temporary and the message names it.
  // Every message gives the system's reason.
  bool commit();

 private:
  // Unwritten: PATH keeps whatever it held before.
  void discard();

  const char* tool_;
  std::string path_, temp_;
  std::FILE* file_ = nullptr;
  int slot_ = -1;         // where the signal handler finds temp_, or -1
  int write_error_ = 0;   // errno of a failed write(), 0 if none
};

// True if a and b name the same file (as far as their folders exist:
// "out", "./out" and "x/../out" do).
bool same_file(const std::string& a, const std::string& b);

// A tool's output flags and their values ("" when not given).
struct OutputFlag {
  const char* flag;  // "--json"
  const std::string& path;
};

// False, with "TOOL: --json and --csv name the same file (...); each output
// needs its own (try --help)" on stderr, if two given outputs name one file.
bool distinct_outputs(const char* tool, std::initializer_list<OutputFlag> outputs);

}  // namespace tacit_tools
