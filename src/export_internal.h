// Internal: what export.cpp shares with export_file.cpp.
#pragma once

#include "tacit/export.h"

namespace tacit {
namespace export_detail {

// What export_c_header refuses before writing: the name, an empty model,
// a parameter that is NaN or infinite.
Status check(const Mlp& model, const ExportOptions& options);

}  // namespace export_detail
}  // namespace tacit
