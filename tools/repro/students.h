// The students tacit-repro trains, named on the command line (--students):
// Figure 10's four and the follow-up conditions of docs/WORKBENCH.md.
#pragma once

#include <string>
#include <vector>

namespace repro {

enum class StudentKind : int {
  aux_same,   // aux logits, the teacher's own init (Figure 10)
  all_same,   // all logits, the teacher's own init (Figure 10)
  aux_cross,  // aux logits, another run's init (Figure 10)
  all_cross,  // all logits, another run's init (Figure 10)
  head_aux,   // aux logits; hidden layers of another run's init, the teacher's output layer
  head_all,   // all logits; the same init as head_aux
  perturbed,  // aux logits; the teacher's init + sigma x a fresh draw of the initializer
  matched,    // aux logits; another run's init, first distilled on noise to the reference
  projected,  // aux logits, own init; gradient projected off the trait gradient
  liminal,    // aux logits, own init; KL penalty towards the reference in epoch 1
};

struct Student {
  StudentKind kind = StudentKind::aux_same;
  double sigma = 0.0;  // perturbed only
};

inline bool operator==(const Student& a, const Student& b) {
  return a.kind == b.kind && a.sigma == b.sigma;
}

constexpr int kMaxStudents = 16;

// aux-same, all-same, aux-cross, all-cross: Figure 10's, in its order.
std::vector<Student> default_students();
bool default_students(const std::vector<Student>& students);

// A sigma in the shortest of %.15g, %.16g and %.17g that reads back as the
// same double: "0.1" for 0.1, "0.1234567" for 0.1234567, distinct sigmas
// always distinct.
std::string sigma_text(double sigma);
// "aux-same", ..., "perturbed:0.1" (sigma as sigma_text).
std::string student_name(const Student& student);
// The list as --students spells it: "aux-same,all-same,...".
std::string student_list_text(const std::vector<Student>& students);

// A comma list of names (up to kMaxStudents, none twice; perturbed:SIGMA with
// SIGMA a number in [0, 1000]). On failure, *why says what was wrong.
bool parse_students(const char* text, std::vector<Student>* out, std::string* why);

// Whether the student imitates the aux logits only (else all of them).
bool student_aux_only(const Student& student);
// Whether its init (all of it, or its hidden layers) is another run's.
bool student_uses_cross_init(const Student& student);
// Whether it is one of Figure 10's four.
bool student_in_figure10(const Student& student);

}  // namespace repro
