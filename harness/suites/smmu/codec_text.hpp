// The hot path of the `smmu` payloads (docs/formats.md §1.1 "Fast path"): requests and outcomes read from and
// written to compact JSON text directly, without an nlohmann DOM.
//
// Each function handles the *canonical* text, exactly as codec.hpp's encoders followed by nlohmann's dump()
// write it (keys in the documented order, no whitespace), and returns false for anything else; the caller
// then uses the DOM functions of codec.hpp, which accept every valid spelling and name the field of every
// error. A fast decoder therefore never accepts what the strict decoder rejects, and gives the same value for
// what it accepts; a fast encoder writes byte for byte what encode + dump() writes. Stage-2 events (S2 = 1,
// with their IPA) are left to the DOM path. harness/suites/smmu/tests/codec_text_test.cpp checks all of this
// against the DOM codec on generated scenarios and on mutated texts.
#pragma once

#include <string>
#include <string_view>

#include "codec.hpp"

namespace vipcts::smmu::codec {

// {"regs":{"IDR0":…,…,"STRTAB_BASE_CFG":…},"mem":[[addr,value],…]} with the words in increasing address order
// (as encode_state writes them).
bool decode_state_words_text(std::string_view text, StateWords& out);
// {"method":"translate","params":{"sid":…,"ssv":…,"ssid":…,"iova":…,"access":…,"priv":…}}
bool decode_request_text(std::string_view text, Transaction& out);
// decode_outcome() of the text.
bool decode_outcome_text(std::string_view text, WireOutcome& out);

// encode_request(txn).dump(), appended (always handled).
void append_request_text(std::string& out, const Transaction& txn);
// encode_outcome(o).dump() / outcome_from_abi(abi).dump(), appended; false (nothing appended) when the
// outcome is left to the DOM path.
bool append_outcome_text(std::string& out, const Outcome& o);
bool append_abi_outcome_text(std::string& out, const vipcts_smmu_outcome& abi);

// The same with the DOM fallback: always a value (or the DOM path's exception).
StateWords state_words_from_text(std::string_view text);
Transaction request_from_text(std::string_view text);
WireOutcome outcome_from_text(std::string_view text, const Path& path);
std::string outcome_text(const Outcome& o);
std::string abi_outcome_text(const vipcts_smmu_outcome& abi);

}  // namespace vipcts::smmu::codec
