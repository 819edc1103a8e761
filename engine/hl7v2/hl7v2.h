// Public API of engine/hl7v2: include this or the individual headers.
//   message.h  parse(), Message, Segment, ParseResult, build_segment(), join_components()
//   escape.h   unescape(), decode_text(), encode_text()
//   charset.h  Charset, charset_from_msh18(), to_utf8(), from_utf8()
//   groups.h   find_obr_groups()
//   ack.h      build_ack(), build_ack_for_unparsed(), ack_mode(), ack_wanted()
//   inbound.h  check_inbound()
//   dump.h     dump_structure()
#pragma once

#include "hl7v2/ack.h"
#include "hl7v2/charset.h"
#include "hl7v2/delimiters.h"
#include "hl7v2/dump.h"
#include "hl7v2/escape.h"
#include "hl7v2/groups.h"
#include "hl7v2/inbound.h"
#include "hl7v2/message.h"
