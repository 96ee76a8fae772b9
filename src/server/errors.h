// Every error text Ember replies with, once, in Redis's exact wording (tests compare these
// strings with a real redis-server). Texts are without the leading '-' and trailing CRLF;
// ReplyBuilder::Error adds the framing. Formatted messages have a helper below.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace ember::errors {

inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kDecrementOverflow = "ERR decrement would overflow";
inline constexpr std::string_view kIncrFloatNaN = "ERR increment would produce NaN or Infinity";
// Hash commands (hash_family.cc).
inline constexpr std::string_view kHashNotInteger = "ERR hash value is not an integer";
inline constexpr std::string_view kHashNotFloat = "ERR hash value is not a float";
inline constexpr std::string_view kNaNOrInfinity = "ERR value is NaN or Infinity";
inline constexpr std::string_view kValueOutOfRange = "ERR value is out of range";
// Hash field TTL commands (hash_ttl_family.cc; Redis 7.4 / 8.0 wording).
inline constexpr std::string_view kFieldsArgMissing =
    "ERR Mandatory argument FIELDS is missing or not at the right position";
inline constexpr std::string_view kNumFieldsPositive =
    "ERR Number of fields must be a positive integer";
inline constexpr std::string_view kNumFieldsGreaterThanZero =
    "ERR Parameter `numFields` should be greater than 0";
inline constexpr std::string_view kNumFieldsMismatch =
    "ERR The `numfields` parameter must match the number of arguments";
inline constexpr std::string_view kExpireTimeNegative = "ERR invalid expire time, must be >= 0";
inline constexpr std::string_view kInvalidNumberOfFields = "ERR invalid number of fields";
inline constexpr std::string_view kHSetExOneExpiry =
    "ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified";
inline constexpr std::string_view kHSetExOneCondition =
    "ERR Only one of FXX or FNX arguments can be specified";
inline constexpr std::string_view kMissingExpireTime = "ERR missing expire time";
// "ERR unknown argument: foo" (HSETEX)
inline std::string UnknownArgument(std::string_view arg) {
  return "ERR unknown argument: " + std::string(arg);
}
// HRANDFIELD / SRANDMEMBER with a count of INT64_MIN (its negation overflows).
inline constexpr std::string_view kRandomCountRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";
// Set commands (set_family.cc).
inline constexpr std::string_view kMustBePositive = "ERR value is out of range, must be positive";
inline constexpr std::string_view kNumkeysPositive = "ERR numkeys should be greater than 0";
inline constexpr std::string_view kNumkeysTooMany =
    "ERR Number of keys can't be greater than number of args";
inline constexpr std::string_view kLimitNegative = "ERR LIMIT can't be negative";
// Sorted-set commands (zset_family.cc).
inline constexpr std::string_view kZAddXxNx =
    "ERR XX and NX options at the same time are not compatible";
inline constexpr std::string_view kZAddGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
inline constexpr std::string_view kZAddIncrPair =
    "ERR INCR option supports a single increment-element pair";
inline constexpr std::string_view kZScoreNaN = "ERR resulting score is not a number (NaN)";
inline constexpr std::string_view kZMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kZWeightNotFloat = "ERR weight value is not a float";
inline constexpr std::string_view kZMinMaxNotString = "ERR min or max not valid string range item";
inline constexpr std::string_view kZLimitNeedsBy =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
inline constexpr std::string_view kZWithScoresLex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
// Geo commands (geo_family.cc, geo_search.cc).
inline constexpr std::string_view kGeoUnsupportedUnit =
    "ERR unsupported unit provided. please use M, KM, FT, MI";
inline constexpr std::string_view kGeoNeedNumericRadius = "ERR need numeric radius";
inline constexpr std::string_view kGeoRadiusNegative = "ERR radius cannot be negative";
inline constexpr std::string_view kGeoNeedNumericWidth = "ERR need numeric width";
inline constexpr std::string_view kGeoNeedNumericHeight = "ERR need numeric height";
inline constexpr std::string_view kGeoBoxNegative = "ERR height or width cannot be negative";
inline constexpr std::string_view kGeoCountPositive = "ERR COUNT must be > 0";
inline constexpr std::string_view kGeoAnyNeedsCount =
    "ERR the ANY argument requires COUNT argument";
inline constexpr std::string_view kGeoMemberNotFound = "ERR could not decode requested zset member";
inline constexpr std::string_view kGeoRadiusStoreWith =
    "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options";
inline constexpr std::string_view kGeoSearchStoreWith =
    "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options";
// "ERR invalid longitude,latitude pair 200.000000,100.000000"
inline std::string GeoInvalidLonLat(double lon, double lat) {
  char buf[700];  // %f of the largest doubles takes ~320 characters each
  std::snprintf(buf, sizeof(buf), "ERR invalid longitude,latitude pair %f,%f", lon, lat);
  return buf;
}
// "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch" (the command
// name as the client typed it)
inline std::string GeoNeedsFrom(std::string_view cmd) {
  return "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + std::string(cmd);
}
// "ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch"
inline std::string GeoNeedsBy(std::string_view cmd) {
  return "ERR exactly one of BYRADIUS and BYBOX can be specified for " + std::string(cmd);
}
// SORT / SORT_RO (sort_family.cc).
inline constexpr std::string_view kSortNotDouble =
    "ERR One or more scores can't be converted into double";
// List commands (list_family.cc).
inline constexpr std::string_view kIndexOutOfRange = "ERR index out of range";
inline constexpr std::string_view kRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
inline constexpr std::string_view kCountNegative = "ERR COUNT can't be negative";
inline constexpr std::string_view kMaxlenNegative = "ERR MAXLEN can't be negative";
inline constexpr std::string_view kCountPositive = "ERR count should be greater than 0";
inline constexpr std::string_view kDbIndexOutOfRange = "ERR DB index is out of range";
inline constexpr std::string_view kInvalidDbIndex = "ERR invalid DB index";
inline constexpr std::string_view kSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kLcsNotStrings =
    "ERR The specified keys must contain string values";
inline constexpr std::string_view kLcsLenAndIdx =
    "ERR If you want both the length and indexes, please just use IDX.";
inline constexpr std::string_view kLcsTooLong = "ERR String too long for LCS";
inline constexpr std::string_view kLcsOverMaxBulk =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
inline constexpr std::string_view kLcsAllocFailed =
    "ERR Insufficient memory, failed allocating transient memory for LCS";
inline constexpr std::string_view kInvalidCursor = "ERR invalid cursor";
// Bitmap commands (bitops_family.cc).
inline constexpr std::string_view kBitOffset = "ERR bit offset is not an integer or out of range";
inline constexpr std::string_view kBitValue = "ERR bit is not an integer or out of range";
inline constexpr std::string_view kBitposBit = "ERR The bit argument must be 1 or 0.";
inline constexpr std::string_view kBitopNotOneKey =
    "ERR BITOP NOT must be called with a single source key.";
inline constexpr std::string_view kBitfieldType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.";
inline constexpr std::string_view kBitfieldOverflowType = "ERR Invalid OVERFLOW type specified";
inline constexpr std::string_view kBitfieldRoGetOnly =
    "ERR BITFIELD_RO only supports the GET subcommand";
// Keyspace and expiry commands (key_family.cc, expire_family.cc).
inline constexpr std::string_view kInvalidFirstDbIndex = "ERR invalid first DB index";
inline constexpr std::string_view kInvalidSecondDbIndex = "ERR invalid second DB index";
inline constexpr std::string_view kExpireNxConflict =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
inline constexpr std::string_view kExpireGtLtConflict =
    "ERR GT and LT options at the same time are not compatible";
inline constexpr std::string_view kLfuNotSelected =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
    "that when switching between policies at runtime LRU and LFU data will take some time to "
    "adjust.";
inline constexpr std::string_view kLfuSelected =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
// Ember-specific: a value type without a registered deep-copy hook (COPY).
inline constexpr std::string_view kNotCopyable = "ERR the value of this key cannot be copied";
// "ERR Unsupported option foo" (EXPIRE family flags).
inline std::string UnsupportedOption(std::string_view opt) {
  return "ERR Unsupported option " + std::string(opt);
}
inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kAuthNotConfigured =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
// ACL (server/acl*.cc, commands/acl_family.cc).
inline constexpr std::string_view kAclDeleteDefault = "ERR The 'default' user cannot be removed";
inline constexpr std::string_view kAclGenPassBits =
    "ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
    "number up to 4096";
inline std::string AclUnknownCategory(std::string_view cat) {
  return "ERR Unknown category '" + std::string(cat) + "'";
}
inline std::string AclUserNotFound(std::string_view user) {
  return "ERR User '" + std::string(user) + "' not found";
}
inline std::string AclCommandNotFound(std::string_view cmd) {
  return "ERR Command '" + std::string(cmd) + "' not found";
}
inline constexpr std::string_view kSortByDenied =
    "ERR BY option of SORT denied due to insufficient ACL permissions.";
inline constexpr std::string_view kSortGetDenied =
    "ERR GET option of SORT denied due to insufficient ACL permissions.";
inline std::string AclScriptDenied(std::string_view msg) {
  return "ERR ACL failure in script: " + std::string(msg);
}
inline constexpr std::string_view kMaxClients = "ERR max number of clients reached";
// protected-mode refusal of a non-loopback client while the default user has no password.
inline constexpr std::string_view kProtectedModeDenied =
    "DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need to "
    "do one of the above things in order for the server to start accepting connections from the "
    "outside.";
inline constexpr std::string_view kNoProto = "NOPROTO unsupported protocol version";
inline constexpr std::string_view kProtocolVersion =
    "ERR Protocol version is not an integer or out of range";
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kLoading = "LOADING Redis is loading the dataset in memory";
// DEBUG RELOAD (persistence/loading.cc, server_family.cc).
inline constexpr std::string_view kRdbReloadFailed =
    "ERR Error trying to load the RDB dump, check server logs.";
inline constexpr std::string_view kDebugReloadOptions =
    "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.";
// AOF (persistence/aof.cc): writes refused after a failed AOF write/fsync (+ strerror), and
// BGREWRITEAOF's errors.
inline constexpr std::string_view kAofWriteErrorPrefix = "MISCONF Errors writing to the AOF file: ";
inline constexpr std::string_view kAofRewriteInProgress =
    "ERR Background append only file rewriting already in progress";
inline constexpr std::string_view kAofRewriteFailed =
    "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
    "information.";
inline constexpr std::string_view kTimeoutNotFloat = "ERR timeout is not a float or out of range";
inline constexpr std::string_view kTimeoutNegative = "ERR timeout is negative";
// Blocking commands (server/blocking.cc): a timeout whose deadline would pass INT64_MAX ms.
inline constexpr std::string_view kTimeoutOutOfRange = "ERR timeout is out of range";
// A blocked client released by CLIENT UNBLOCK id ERROR.
inline constexpr std::string_view kUnblocked = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
inline constexpr std::string_view kExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";
// Transactions (multi_family.cc, the dispatcher's queueing).
inline constexpr std::string_view kMultiNested = "ERR MULTI calls can not be nested";
inline constexpr std::string_view kExecWithoutMulti = "ERR EXEC without MULTI";
inline constexpr std::string_view kDiscardWithoutMulti = "ERR DISCARD without MULTI";
inline constexpr std::string_view kWatchInMulti = "ERR WATCH inside MULTI is not allowed";
inline constexpr std::string_view kNotAllowedInMulti =
    "ERR Command not allowed inside a transaction";
// EXEC refused by a check the whole transaction fails (OOM, READONLY...): "EXECABORT
// Transaction discarded because of: OOM command not allowed ...".
inline std::string ExecAbortBecause(std::string_view error) {
  return "EXECABORT Transaction discarded because of: " + std::string(error);
}
// Server commands (SHUTDOWN, SLOWLOG, MONITOR, DEBUG).
inline constexpr std::string_view kNoShutdownInProgress = "ERR No shutdown in progress.";
inline constexpr std::string_view kShutdownErrors = "ERR Errors trying to SHUTDOWN. Check logs.";
// SAVE / BGSAVE and the stop-writes-on-bgsave-error refusal.
inline constexpr std::string_view kBgsaveInProgress = "ERR Background save already in progress";
inline constexpr std::string_view kBgsaveAofActive =
    "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in "
    "order to schedule a BGSAVE whenever possible.";
inline constexpr std::string_view kMisconf =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";
inline constexpr std::string_view kSlowlogCount = "ERR count should be greater than or equal to -1";
inline constexpr std::string_view kMonitorDenyBlocking =
    "ERR MONITOR isn't allowed for DENY BLOCKING client";
inline constexpr std::string_view kModuleNotAllowed =
    "ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", "
    "you can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.";
// MODULE LOAD / LOADEX when allowed: Ember loads no modules.
inline constexpr std::string_view kModuleLoadFailed =
    "ERR Error loading the extension. Please check the server logs.";
inline constexpr std::string_view kModuleUnloadNoSuch =
    "ERR Error unloading module: no such module with that name";
// rename-command naming a command that does not exist (a config file error).
inline constexpr std::string_view kRenameNoSuchCommand = "No such command in rename-command";
inline constexpr std::string_view kRenameTargetExists = "Target command name already exists";
inline constexpr std::string_view kDebugNotAllowed =
    "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
    "can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.";
// "ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP."
inline std::string UnknownSubcommandOrArity(std::string_view sub, std::string_view cmd_upper) {
  return "ERR unknown subcommand or wrong number of arguments for '" +
         std::string(sub.substr(0, 128)) + "'. Try " + std::string(cmd_upper) + " HELP.";
}

// COMMAND GETKEYS / GETKEYSANDFLAGS (command_family.cc).
inline constexpr std::string_view kGetKeysInvalidCommand = "ERR Invalid command specified";
inline constexpr std::string_view kGetKeysNoKeys = "ERR The command has no key arguments";
inline constexpr std::string_view kGetKeysWrongArgCount =
    "ERR Invalid number of arguments specified for command";
inline constexpr std::string_view kGetKeysInvalidArgs =
    "ERR Invalid arguments specified for command";
// CLIENT (client_family.cc).
inline constexpr std::string_view kClientNameInvalid =
    "ERR Client names cannot contain spaces, newlines or special characters.";
inline constexpr std::string_view kNoSuchClient = "ERR No such client";
inline constexpr std::string_view kClientIdNotPositive = "ERR client-id should be greater than 0";
inline constexpr std::string_view kInvalidClientId = "ERR Invalid client ID";
inline constexpr std::string_view kTimeoutNotInteger =
    "ERR timeout is not an integer or out of range";
inline constexpr std::string_view kClientPauseMode = "ERR CLIENT PAUSE mode must be WRITE or ALL";
inline constexpr std::string_view kUnblockReason =
    "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";
// "ERR Unknown client type 'foo'"
inline std::string UnknownClientType(std::string_view type) {
  return "ERR Unknown client type '" + std::string(type) + "'";
}
// "ERR No such user 'foo'"
inline std::string NoSuchUser(std::string_view user) {
  return "ERR No such user '" + std::string(user) + "'";
}
// "ERR Unrecognized option 'foo'" (CLIENT SETINFO)
inline std::string UnrecognizedOption(std::string_view opt) {
  return "ERR Unrecognized option '" + std::string(opt) + "'";
}
// "ERR lib-name cannot contain spaces, newlines or special characters." (CLIENT SETINFO)
inline std::string ClientAttrInvalid(std::string_view attr) {
  return "ERR " + std::string(attr) + " cannot contain spaces, newlines or special characters.";
}
// CLIENT TRACKING / CACHING (tracking_family.cc).
inline constexpr std::string_view kTrackingRedirectTwice =
    "ERR A client can only redirect to a single other client";
inline constexpr std::string_view kTrackingRedirectMissing =
    "ERR The client ID you want redirect to does not exist";
inline constexpr std::string_view kTrackingPrefixNeedsBcast =
    "ERR PREFIX option requires BCAST mode to be enabled";
inline constexpr std::string_view kTrackingBcastSwitch =
    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
    "re-enabling it with a different mode.";
inline constexpr std::string_view kTrackingOptBcast =
    "ERR OPTIN and OPTOUT are not compatible with BCAST";
inline constexpr std::string_view kTrackingOptInAndOut =
    "ERR You can't specify both OPTIN mode and OPTOUT mode";
inline constexpr std::string_view kTrackingOptSwitch =
    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
    "re-enabling it with a different mode.";
inline constexpr std::string_view kCachingNotTracking =
    "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
    "OPTOUT mode enabled";
inline constexpr std::string_view kCachingYesNeedsOptIn =
    "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.";
inline constexpr std::string_view kCachingNoNeedsOptOut =
    "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";
// "ERR Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a single client must not
// overlap."
inline std::string TrackingPrefixOverlapsExisting(std::string_view p, std::string_view existing) {
  return "ERR Prefix '" + std::string(p) + "' overlaps with an existing prefix '" +
         std::string(existing) + "'. Prefixes for a single client must not overlap.";
}
// "ERR Prefix 'foobar' overlaps with another provided prefix 'foo'. ..."
inline std::string TrackingPrefixOverlapsProvided(std::string_view p, std::string_view other) {
  return "ERR Prefix '" + std::string(p) + "' overlaps with another provided prefix '" +
         std::string(other) + "'. Prefixes for a single client must not overlap.";
}

// Pub/Sub (pubsub_family.cc, the dispatcher's subscribed-mode rule).
// "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are
// allowed in this context" (a RESP2 client with subscriptions; `cmd` is the full name).
inline std::string SubscribedContext(std::string_view cmd) {
  return "ERR Can't execute '" + std::string(cmd) +
         "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
         "context";
}
inline constexpr std::string_view kSsubscribeDenyBlocking =
    "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client";

// HyperLogLog commands (hll_family.cc).
inline constexpr std::string_view kNotHll =
    "WRONGTYPE Key is not a valid HyperLogLog string value.";
inline constexpr std::string_view kHllCorrupt = "INVALIDOBJ Corrupted HLL object detected";
inline constexpr std::string_view kPfDebugNoKey = "ERR The specified key does not exist";
inline constexpr std::string_view kHllNotSparse = "ERR HLL encoding is not sparse";
// "ERR Unknown PFDEBUG subcommand 'foo'"
inline std::string UnknownPfDebugSubcommand(std::string_view sub) {
  return "ERR Unknown PFDEBUG subcommand '" + std::string(sub) + "'";
}
// PFSELFTEST failure: "TESTFAILED <what went wrong>"
inline std::string HllSelfTestFailed(std::string_view what) {
  return "TESTFAILED " + std::string(what);
}

// Stream commands (stream_family.cc, stream_util.cc; stream_group_family.cc adds its own).
inline constexpr std::string_view kStreamInvalidId =
    "ERR Invalid stream ID specified as stream command argument";
inline constexpr std::string_view kStreamInvalidStartInterval =
    "ERR invalid start ID for the interval";
inline constexpr std::string_view kStreamInvalidEndInterval = "ERR invalid end ID for the interval";
inline constexpr std::string_view kXAddIdZero =
    "ERR The ID specified in XADD must be greater than 0-0";
inline constexpr std::string_view kXAddIdTooSmall =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
inline constexpr std::string_view kStreamExhausted =
    "ERR The stream has exhausted the last possible ID, unable to add more items";
inline constexpr std::string_view kStreamMaxlenNegative = "ERR The MAXLEN argument must be >= 0.";
inline constexpr std::string_view kStreamLimitNegative = "ERR The LIMIT argument must be >= 0.";
inline constexpr std::string_view kStreamTrimBoth =
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
inline constexpr std::string_view kStreamLimitNoStrategy =
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
inline constexpr std::string_view kStreamXTrimNoStrategy =
    "ERR syntax error, XTRIM must be called with a trimming strategy";
inline constexpr std::string_view kStreamLimitNoApprox =
    "ERR syntax error, LIMIT cannot be used without the special ~ option";
inline constexpr std::string_view kXSetIdEntriesAddedNegative =
    "ERR entries_added must be positive";
inline constexpr std::string_view kXSetIdSmallerThanMaxDeletedArg =
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id";
inline constexpr std::string_view kXSetIdSmallerThanMaxDeleted =
    "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id";
inline constexpr std::string_view kXSetIdSmallerThanTop =
    "ERR The ID specified in XSETID is smaller than the target stream top item";
inline constexpr std::string_view kXSetIdEntriesAddedTooSmall =
    "ERR The entries_added specified in XSETID is smaller than the target stream length";
inline constexpr std::string_view kXReadNoAck =
    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.";
inline constexpr std::string_view kXReadGroupOption =
    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.";
inline constexpr std::string_view kXReadGreaterId =
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
    "<consumer> option.";
// "ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be
// specified." (`cmd` is the command's full name, `symbol` '$' or '>')
inline std::string StreamUnbalanced(std::string_view cmd, char symbol) {
  return "ERR Unbalanced '" + std::string(cmd) +
         "' list of streams: for each stream key an ID or '" + std::string(1, symbol) +
         "' must be specified.";
}
// "ERR xread command is not allowed with BLOCK option from scripts"
inline std::string StreamBlockInScript(std::string_view cmd) {
  return "ERR " + std::string(cmd) + " command is not allowed with BLOCK option from scripts";
}
// Stream consumer groups (stream_group_family.cc, stream_info.cc).
inline constexpr std::string_view kBusyGroup = "BUSYGROUP Consumer Group name already exists";
inline constexpr std::string_view kXGroupNoKey =
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to "
    "use the MKSTREAM option to create an empty stream automatically.";
inline constexpr std::string_view kXGroupEntriesRead =
    "ERR value for ENTRIESREAD must be positive or -1";
inline constexpr std::string_view kXReadGroupMissingGroup =
    "ERR Missing GROUP option for XREADGROUP";
inline constexpr std::string_view kXReadGroupDollar =
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of "
    "this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would "
    "just return an empty result set.";
inline constexpr std::string_view kXClaimMinIdle = "ERR Invalid min-idle-time argument for XCLAIM";
inline constexpr std::string_view kXClaimIdle = "ERR Invalid IDLE option argument for XCLAIM";
inline constexpr std::string_view kXClaimTime = "ERR Invalid TIME option argument for XCLAIM";
inline constexpr std::string_view kXClaimRetryCount =
    "ERR Invalid RETRYCOUNT option argument for XCLAIM";
inline constexpr std::string_view kXAutoClaimMinIdle =
    "ERR Invalid min-idle-time argument for XAUTOCLAIM";
inline constexpr std::string_view kXAutoClaimCount = "ERR COUNT must be > 0";
// "ERR Unrecognized XCLAIM option 'foo'"
inline std::string UnrecognizedXClaimOption(std::string_view opt) {
  return "ERR Unrecognized XCLAIM option '" + std::string(opt) + "'";
}
// "NOGROUP No such key 'k' or consumer group 'g' in XREADGROUP with GROUP option"
inline std::string NoSuchKeyOrGroupInXReadGroup(std::string_view key, std::string_view group) {
  return "NOGROUP No such key '" + std::string(key) + "' or consumer group '" + std::string(group) +
         "' in XREADGROUP with GROUP option";
}
// "NOGROUP No such key 'k' or consumer group 'g'" (XPENDING, XCLAIM, XAUTOCLAIM)
inline std::string NoSuchKeyOrGroup(std::string_view key, std::string_view group) {
  return "NOGROUP No such key '" + std::string(key) + "' or consumer group '" + std::string(group) +
         "'";
}
// "NOGROUP No such consumer group 'g' for key name 'k'" (XGROUP, XINFO CONSUMERS)
inline std::string NoSuchGroupForKey(std::string_view group, std::string_view key) {
  return "NOGROUP No such consumer group '" + std::string(group) + "' for key name '" +
         std::string(key) + "'";
}

// Scripting (scripting/, scripting_family.cc, function_family.cc).
inline constexpr std::string_view kNoScript = "NOSCRIPT No matching script. Please use EVAL.";
inline constexpr std::string_view kNumKeysNegative = "ERR Number of keys can't be negative";
inline constexpr std::string_view kBusyScript =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kNotBusy = "NOTBUSY No scripts in execution right now.";
inline constexpr std::string_view kUnkillable =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";
inline constexpr std::string_view kScriptKilled = "ERR Script killed by user with SCRIPT KILL...";
inline constexpr std::string_view kScriptUnknownCommand =
    "ERR Unknown Redis command called from script";
inline constexpr std::string_view kScriptWrongArity =
    "ERR Wrong number of args calling Redis command from script";
inline constexpr std::string_view kScriptNotAllowed =
    "ERR This Redis command is not allowed from script";
inline constexpr std::string_view kScriptReadOnlyWrite =
    "ERR Write commands are not allowed from read-only scripts.";
inline constexpr std::string_view kScriptWriteFlagRo =
    "ERR Can not execute a script with write flag using *_ro command.";
inline constexpr std::string_view kScriptOomFlag =
    "OOM allow-oom flag is not set on the script, can not run it when used memory > "
    "'maxmemory'";
inline constexpr std::string_view kScriptFlushOption =
    "ERR SCRIPT FLUSH only support SYNC|ASYNC option";
inline constexpr std::string_view kFunctionFlushOption =
    "ERR FUNCTION FLUSH only supports SYNC|ASYNC option";
inline constexpr std::string_view kFunctionNotFound = "ERR Function not found";
inline constexpr std::string_view kFunctionBadNumKeys = "ERR Bad number of keys provided";
inline constexpr std::string_view kLibraryNotFound = "ERR Library not found";
inline constexpr std::string_view kFunctionMissingMetadata = "ERR Missing library metadata";
inline constexpr std::string_view kFunctionInvalidMetadata = "ERR Invalid library metadata";
inline constexpr std::string_view kFunctionNameTwice =
    "ERR Invalid metadata value, name argument was given multiple times";
inline constexpr std::string_view kFunctionNoLibraryName = "ERR Library name was not given";
inline constexpr std::string_view kFunctionBadName =
    "ERR Library names can only contain letters, numbers, or underscores(_) and must be at "
    "least one character long";
inline constexpr std::string_view kFunctionNoneRegistered = "ERR No functions registered";
inline constexpr std::string_view kFunctionPayloadNotFunction = "ERR given type is not a function";
inline constexpr std::string_view kFunctionPreGaPayload =
    "ERR Pre-GA function format not supported";
inline constexpr std::string_view kFunctionRestorePolicy =
    "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.";
inline constexpr std::string_view kFunctionListNoName = "ERR library name argument was not given";
inline constexpr std::string_view kFunctionLoadTimeout = "FUNCTION LOAD timeout";
// DUMP / RESTORE (and FUNCTION RESTORE, whose payload has the same footer).
inline constexpr std::string_view kBusyKey = "BUSYKEY Target key name already exists.";
inline constexpr std::string_view kDumpPayloadInvalid =
    "ERR DUMP payload version or checksum are wrong";
inline constexpr std::string_view kBadDataFormat = "ERR Bad data format";
inline constexpr std::string_view kRestoreInvalidTtl = "ERR Invalid TTL value, must be >= 0";
inline constexpr std::string_view kRestoreInvalidIdletime =
    "ERR Invalid IDLETIME value, must be >= 0";
inline constexpr std::string_view kRestoreInvalidFreq =
    "ERR Invalid FREQ value, must be >= 0 and <= 255";
// "ERR Engine 'foo' not found"
inline std::string FunctionEngineNotFound(std::string_view engine) {
  return "ERR Engine '" + std::string(engine) + "' not found";
}
// "ERR Invalid metadata value given: foo=bar"
inline std::string FunctionInvalidMetadataValue(std::string_view kv) {
  return "ERR Invalid metadata value given: " + std::string(kv);
}
// "ERR Unknown option given: foo" (FUNCTION LOAD)
inline std::string FunctionUnknownOption(std::string_view opt) {
  return "ERR Unknown option given: " + std::string(opt);
}
// "ERR Unknown argument foo" (FUNCTION LIST)
inline std::string FunctionListUnknownArgument(std::string_view arg) {
  return "ERR Unknown argument " + std::string(arg);
}

// Protocol errors (the connection is closed after replying).
inline constexpr std::string_view kProtoInvalidMultibulk =
    "ERR Protocol error: invalid multibulk length";
inline constexpr std::string_view kProtoInvalidBulk = "ERR Protocol error: invalid bulk length";
inline constexpr std::string_view kProtoBigMbulk = "ERR Protocol error: too big mbulk count string";
inline constexpr std::string_view kProtoBigBulk = "ERR Protocol error: too big bulk count string";
inline constexpr std::string_view kProtoBigInline = "ERR Protocol error: too big inline request";
inline constexpr std::string_view kProtoUnbalanced =
    "ERR Protocol error: unbalanced quotes in request";

// CONFIG SET activedefrag yes: Ember has no active defragmentation (as a Redis built with a
// stock jemalloc); the text after "ERR CONFIG SET failed (...) - ".
inline constexpr std::string_view kActiveDefragUnsupported =
    "Active defragmentation cannot be enabled: it requires a Redis server compiled with a "
    "modified Jemalloc like the one shipped by default with the Redis source distribution";

// "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
std::string UnknownCommand(std::string_view name, const std::string_view* args, size_t nargs);
// "ERR unknown subcommand 'foo'. Try CONFIG HELP."
std::string UnknownSubcommand(std::string_view sub, std::string_view cmd);
// "ERR wrong number of arguments for 'get' command"
std::string WrongArity(std::string_view cmd);
// "ERR Protocol error: expected '$', got 'x'"
std::string ProtoExpectedDollar(char got);
// "ERR invalid expire time in 'set' command"
std::string InvalidExpireTime(std::string_view cmd);

}  // namespace ember::errors
