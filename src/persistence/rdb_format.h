// RDB format constants: the on-disk and DUMP-payload format shared with Redis (versions 1-12).
// Numbers only; the format itself is described in docs/rdb.md. Every persistence file that
// reads or writes RDB bytes takes its constants from here, nowhere else.
#pragma once

#include <cstdint>

namespace ember::rdb {

// Version Ember writes: 10 is what Redis 7.0 writes and the newest version 7.0 can load, so
// Redis 7.0 and later load Ember's files and DUMP payloads. A file holding a hash with field
// TTLs (only expressible from version 12, Redis 7.4) is written as version 12.
inline constexpr int kVersion = 10;
inline constexpr int kVersionHashFieldTtl = 12;
// Versions Ember loads.
inline constexpr int kMinLoadVersion = 1;
inline constexpr int kMaxLoadVersion = 12;

inline constexpr char kMagic[] = "REDIS";  // followed by the version as 4 ASCII digits

// Value types (the byte before a key).
inline constexpr uint8_t kTypeString = 0;
inline constexpr uint8_t kTypeList = 1;  // linked list of strings (loaded, never written)
inline constexpr uint8_t kTypeSet = 2;
inline constexpr uint8_t kTypeZset = 3;  // scores as ASCII doubles (loaded only)
inline constexpr uint8_t kTypeHash = 4;
inline constexpr uint8_t kTypeZset2 = 5;  // scores as binary doubles
inline constexpr uint8_t kTypeModulePreGa = 6;
inline constexpr uint8_t kTypeModule2 = 7;
inline constexpr uint8_t kTypeHashZipmap = 9;
inline constexpr uint8_t kTypeListZiplist = 10;
inline constexpr uint8_t kTypeSetIntset = 11;
inline constexpr uint8_t kTypeZsetZiplist = 12;
inline constexpr uint8_t kTypeHashZiplist = 13;
inline constexpr uint8_t kTypeListQuicklist = 14;  // ziplist nodes
inline constexpr uint8_t kTypeStreamListpacks = 15;
inline constexpr uint8_t kTypeHashListpack = 16;
inline constexpr uint8_t kTypeZsetListpack = 17;
inline constexpr uint8_t kTypeListQuicklist2 = 18;  // listpack nodes (plain or packed)
inline constexpr uint8_t kTypeStreamListpacks2 = 19;
inline constexpr uint8_t kTypeSetListpack = 20;
inline constexpr uint8_t kTypeStreamListpacks3 = 21;
inline constexpr uint8_t kTypeHashMetadataPreGa = 22;
inline constexpr uint8_t kTypeHashListpackExPreGa = 23;
inline constexpr uint8_t kTypeHashMetadata = 24;    // hash with field TTLs (7.4)
inline constexpr uint8_t kTypeHashListpackEx = 25;  // listpack hash with field TTLs (7.4)

// Opcodes (in place of a type byte).
inline constexpr uint8_t kOpSlotInfo = 244;
inline constexpr uint8_t kOpFunction2 = 245;
inline constexpr uint8_t kOpFunctionPreGa = 246;
inline constexpr uint8_t kOpModuleAux = 247;
inline constexpr uint8_t kOpIdle = 248;
inline constexpr uint8_t kOpFreq = 249;
inline constexpr uint8_t kOpAux = 250;
inline constexpr uint8_t kOpResizeDb = 251;
inline constexpr uint8_t kOpExpireTimeMs = 252;
inline constexpr uint8_t kOpExpireTime = 253;
inline constexpr uint8_t kOpSelectDb = 254;
inline constexpr uint8_t kOpEof = 255;

// Length encoding: the top two bits of the first byte.
inline constexpr uint8_t kLen6Bit = 0;
inline constexpr uint8_t kLen14Bit = 1;
inline constexpr uint8_t kLen32Bit = 0x80;
inline constexpr uint8_t kLen64Bit = 0x81;
inline constexpr uint8_t kLenEncVal = 3;
// Special string encodings (after kLenEncVal).
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// Quicklist 2 node containers.
inline constexpr uint8_t kQuicklistNodePlain = 1;
inline constexpr uint8_t kQuicklistNodePacked = 2;

// Module type values (RDB_TYPE_MODULE_2 opcodes inside a value).
inline constexpr uint8_t kModuleOpEof = 0;
inline constexpr uint8_t kModuleOpSint = 1;
inline constexpr uint8_t kModuleOpUint = 2;
inline constexpr uint8_t kModuleOpFloat = 3;
inline constexpr uint8_t kModuleOpDouble = 4;
inline constexpr uint8_t kModuleOpString = 5;

// Stream listpack entry flags (master-entry format inside each stream listpack).
inline constexpr int kStreamItemFlagNone = 0;
inline constexpr int kStreamItemFlagDeleted = 1;
inline constexpr int kStreamItemFlagSameFields = 2;

// Doubles in the old ASCII form (kTypeZset): a length byte, or one of these.
inline constexpr uint8_t kDoubleNan = 253;
inline constexpr uint8_t kDoublePosInf = 254;
inline constexpr uint8_t kDoubleNegInf = 255;

}  // namespace ember::rdb
