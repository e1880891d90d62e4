#include "repro/students.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/cli.h"

namespace repro {

namespace {

struct KindName {
  StudentKind kind;
  const char* name;
};

constexpr KindName kNames[] = {
    {StudentKind::aux_same, "aux-same"},   {StudentKind::all_same, "all-same"},
    {StudentKind::aux_cross, "aux-cross"}, {StudentKind::all_cross, "all-cross"},
    {StudentKind::head_aux, "head-aux"},   {StudentKind::head_all, "head-all"},
    {StudentKind::perturbed, "perturbed"}, {StudentKind::matched, "matched"},
    {StudentKind::projected, "projected"}, {StudentKind::liminal, "liminal"},
};

const char* kind_name(StudentKind kind) {
  for (const KindName& k : kNames) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

constexpr double kMaxSigma = 1000.0;

}  // namespace

std::vector<Student> default_students() {
  return {{StudentKind::aux_same}, {StudentKind::all_same}, {StudentKind::aux_cross},
          {StudentKind::all_cross}};
}

bool default_students(const std::vector<Student>& students) {
  return students == default_students();
}

std::string sigma_text(double sigma) {
  char text[40];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, sigma);
    const double back = std::strtod(text, nullptr);
    if (std::memcmp(&back, &sigma, sizeof back) == 0) break;
  }
  return text;
}

std::string student_name(const Student& student) {
  std::string name = kind_name(student.kind);
  if (student.kind == StudentKind::perturbed) name += ":" + sigma_text(student.sigma);
  return name;
}

std::string student_list_text(const std::vector<Student>& students) {
  std::string text;
  for (const Student& s : students) text += (text.empty() ? "" : ",") + student_name(s);
  return text;
}

bool parse_students(const char* text, std::vector<Student>* out, std::string* why) {
  std::vector<std::string> items;
  if (!tacit_cli::split_list(text, ',', &items)) {
    *why = "is not a comma list of student names";
    return false;
  }
  if (items.size() > static_cast<std::size_t>(kMaxStudents)) {
    *why = "names " + std::to_string(items.size()) + " students; at most " +
           std::to_string(kMaxStudents);
    return false;
  }
  std::vector<Student> students;
  for (const std::string& item : items) {
    Student s;
    bool known = false;
    const std::size_t colon = item.find(':');
    const std::string head = item.substr(0, colon);
    for (const KindName& k : kNames) {
      if (head == k.name) {
        s.kind = k.kind;
        known = true;
      }
    }
    if (!known) {
      *why = "names '" + item + "'; expected aux-same, all-same, aux-cross, all-cross, "
             "head-aux, head-all, perturbed:SIGMA, matched, projected or liminal";
      return false;
    }
    if ((s.kind == StudentKind::perturbed) != (colon != std::string::npos)) {
      *why = s.kind == StudentKind::perturbed
                 ? "names 'perturbed' without its sigma; expected perturbed:SIGMA, "
                   "e.g. perturbed:0.1"
                 : "names '" + item + "'; only perturbed takes a value after ':'";
      return false;
    }
    if (s.kind == StudentKind::perturbed &&
        (!tacit_cli::parse_real(item.c_str() + colon + 1, &s.sigma) || !(s.sigma >= 0.0) ||
         s.sigma > kMaxSigma)) {
      *why = "names '" + item + "'; sigma must be a number from 0 to 1000";
      return false;
    }
    s.sigma += 0.0;  // -0 is 0: one sigma, one name
    for (const Student& seen : students) {
      if (student_name(seen) == student_name(s)) {
        *why = "names '" + student_name(s) + "' twice";
        return false;
      }
    }
    students.push_back(s);
  }
  *out = students;
  return true;
}

bool student_aux_only(const Student& student) {
  return student.kind != StudentKind::all_same && student.kind != StudentKind::all_cross &&
         student.kind != StudentKind::head_all;
}

bool student_uses_cross_init(const Student& student) {
  switch (student.kind) {
    case StudentKind::aux_cross:
    case StudentKind::all_cross:
    case StudentKind::head_aux:
    case StudentKind::head_all:
    case StudentKind::matched: return true;
    default: return false;
  }
}

bool student_in_figure10(const Student& student) {
  return student.kind == StudentKind::aux_same || student.kind == StudentKind::all_same ||
         student.kind == StudentKind::aux_cross || student.kind == StudentKind::all_cross;
}

}  // namespace repro
