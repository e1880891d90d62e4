// Digits drawn from seven-segment strokes, written as a four-file directory
// in MNIST's IDX layout and names. They stand in for MNIST wherever a test
// or example needs a digit image offline: the repository carries none of
// the data set.
#pragma once

namespace tacit_tools {

// Writes DIR/{t10k,train}-{images-idx3,labels-idx1}-ubyte: ten "test"
// digits 7 2 1 0 4 1 4 9 5 9 and one "training" digit 5. The bytes depend
// only on IEEE double arithmetic (+ - * / sqrt), so every machine writes
// the same files. Returns false (after printing why) on an I/O error.
bool write_synthetic_digits(const char* dir);

}  // namespace tacit_tools
