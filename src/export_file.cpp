// Exported headers as files: export_c_header through a stdio sink, into a
// new temporary renamed over the path once complete (file_io.h).
#include <cerrno>
#include <cstdio>

#include "export_internal.h"
#include "file_io.h"
#include "tacit/export.h"

namespace tacit {

namespace {

struct Job {
  const Mlp& model;
  const ExportOptions& options;
};

bool write_stdio(void* context, const char* bytes, std::size_t size) {
  return std::fwrite(bytes, 1, size, static_cast<std::FILE*>(context)) == size;
}

Status write_header(void* context, std::FILE* file, const char* temp) {
  const Job& job = *static_cast<const Job*>(context);
  ExportSink sink;
  sink.context = file;
  sink.write = write_stdio;
  errno = 0;
  const Status status = export_c_header(job.model, job.options, sink);
  // A refused write is the file's: say which and why.
  if (!status.ok() && std::ferror(file) != 0) {
    return Status::error("%s: write failed: %s", temp, file_detail::errno_text());
  }
  return status;
}

}  // namespace

Status export_c_header_file(const char* path, const Mlp& model,
                            const ExportOptions& options) {
  if (path == nullptr || path[0] == '\0') {
    return Status::error("export path: expected a file name, found an empty one");
  }
  // Refused before a temporary exists.
  const Status status = export_detail::check(model, options);
  if (!status.ok()) return status;
  Job job{model, options};
  return file_detail::replace_file(path, write_header, &job);
}

}  // namespace tacit
