// Internal: the O(1) checks public calls make on the views they are given,
// with one message format: "CALL: NAME is RxC (stride S); expected ...".
#pragma once

#include "tacit/matrix.h"
#include "tacit/status.h"

namespace tacit {
namespace shape_check {

// A view of rows x cols (either -1: any) with a stride that holds a row,
// and data unless it is empty.
inline Status view(const char* call, const char* name, ConstMatrix m, int rows, int cols) {
  const bool shape_ok = (rows < 0 || m.rows == rows) && (cols < 0 || m.cols == cols) &&
                        m.rows >= 0 && m.cols >= 0;
  if (!shape_ok || m.stride < m.cols) {
    return Status::error("%s: %s is %dx%d (stride %d); expected %dx%d with a stride of at "
                         "least its columns (-1: any)", call, name, m.rows, m.cols, m.stride,
                         rows, cols);
  }
  if (m.data == nullptr && m.rows > 0 && m.cols > 0) {
    return Status::error("%s: %s is null", call, name);
  }
  return Status::success();
}

}  // namespace shape_check
}  // namespace tacit
