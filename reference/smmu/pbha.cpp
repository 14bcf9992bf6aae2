#include "pbha.hpp"

namespace vipcts::smmu {

std::string_view pbha_combine_name(PbhaCombine c) {
  switch (c) {
    case PbhaCombine::Stage2Wins:
      return "stage2-wins";
    case PbhaCombine::Or:
      return "or";
    case PbhaCombine::ImpDef:
      return "impdef";
  }
  return "impdef";
}

bool parse_pbha_combine(std::string_view name, PbhaCombine& out) {
  for (PbhaCombine c : {PbhaCombine::Stage2Wins, PbhaCombine::Or, PbhaCombine::ImpDef}) {
    if (pbha_combine_name(c) == name) {
      out = c;
      return true;
    }
  }
  return false;
}

}  // namespace vipcts::smmu
