// Client-side caching commands: CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO, added as
// subcommand rows of the CLIENT container (registered after RegisterClientFamily). They only
// parse and validate; the tracked-key table, prefixes and invalidations live in
// server/tracking.h, the per-client options in Client (tracking_redirect, tracking_flags).
#include <string>
#include <vector>

#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/tracking.h"

namespace ember {
namespace {

// What CLIENT TRACKING's options asked for.
struct TrackingRequest {
  uint64_t redirect = 0;
  uint8_t options = 0;  // kTracking{Bcast,OptIn,OptOut,NoLoop}
  std::vector<std::string_view> prefixes;
};

// Parses the options after ON|OFF, in Redis's order of checks (a bad REDIRECT fails at once,
// before the rest is looked at). Replies and returns false on error.
bool ParseTrackingOptions(CommandContext& ctx, TrackingRequest* req) {
  for (size_t j = 3; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "REDIRECT") && more) {
      j++;
      if (req->redirect != 0) {
        ctx.reply().Error(errors::kTrackingRedirectTwice);
        return false;
      }
      int64_t id;
      if (!ParseInt64(ctx.arg(j), &id)) {
        ctx.reply().Error(errors::kNotInteger);
        return false;
      }
      // The target must exist now (it may still go away later: the redirect then "breaks").
      if (id <= 0 || ctx.server().FindClient(uint64_t(id)) == nullptr) {
        ctx.reply().Error(errors::kTrackingRedirectMissing);
        return false;
      }
      req->redirect = uint64_t(id);
    } else if (EqualsIgnoreCase(opt, "BCAST")) {
      req->options |= kTrackingBcast;
    } else if (EqualsIgnoreCase(opt, "OPTIN")) {
      req->options |= kTrackingOptIn;
    } else if (EqualsIgnoreCase(opt, "OPTOUT")) {
      req->options |= kTrackingOptOut;
    } else if (EqualsIgnoreCase(opt, "NOLOOP")) {
      req->options |= kTrackingNoLoop;
    } else if (EqualsIgnoreCase(opt, "PREFIX") && more) {
      req->prefixes.push_back(ctx.arg(++j));
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// The checks of CLIENT TRACKING ON against the request and the client's current mode: "" or
// the error.
std::string CheckTrackingOn(CommandContext& ctx, const TrackingRequest& req) {
  const Client& c = ctx.client();
  uint8_t opt = req.options;
  if (!(opt & kTrackingBcast) && !req.prefixes.empty()) {
    return std::string(errors::kTrackingPrefixNeedsBcast);
  }
  if ((c.flags & kClientTracking) &&
      bool(c.tracking_flags & kTrackingBcast) != bool(opt & kTrackingBcast)) {
    return std::string(errors::kTrackingBcastSwitch);
  }
  if ((opt & kTrackingBcast) && (opt & (kTrackingOptIn | kTrackingOptOut))) {
    return std::string(errors::kTrackingOptBcast);
  }
  if ((opt & kTrackingOptIn) && (opt & kTrackingOptOut)) {
    return std::string(errors::kTrackingOptInAndOut);
  }
  if (((opt & kTrackingOptIn) && (c.tracking_flags & kTrackingOptOut)) ||
      ((opt & kTrackingOptOut) && (c.tracking_flags & kTrackingOptIn))) {
    return std::string(errors::kTrackingOptSwitch);
  }
  if (opt & kTrackingBcast) return ctx.server().tracking().CheckPrefixes(c, req.prefixes);
  return "";
}

// CLIENT TRACKING ON | OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST]
//   [OPTIN] [OPTOUT] [NOLOOP]
void ClientTracking(CommandContext& ctx) {
  TrackingRequest req;
  if (!ParseTrackingOptions(ctx, &req)) return;
  Tracking& tracking = ctx.server().tracking();
  if (EqualsIgnoreCase(ctx.arg(2), "ON")) {
    std::string err = CheckTrackingOn(ctx, req);
    if (!err.empty()) return ctx.reply().Error(err);
    tracking.Enable(ctx.client(), req.redirect, req.options, req.prefixes);
  } else if (EqualsIgnoreCase(ctx.arg(2), "OFF")) {
    tracking.Disable(ctx.client());  // the options are ignored
  } else {
    return ctx.reply().Error(errors::kSyntax);
  }
  ctx.reply().Ok();
}

// CLIENT CACHING YES | NO
void ClientCaching(CommandContext& ctx) {
  Client& c = ctx.client();
  if (!(c.flags & kClientTracking)) return ctx.reply().Error(errors::kCachingNotTracking);
  if (EqualsIgnoreCase(ctx.arg(2), "YES")) {
    if (!(c.tracking_flags & kTrackingOptIn)) {
      return ctx.reply().Error(errors::kCachingYesNeedsOptIn);
    }
  } else if (EqualsIgnoreCase(ctx.arg(2), "NO")) {
    if (!(c.tracking_flags & kTrackingOptOut)) {
      return ctx.reply().Error(errors::kCachingNoNeedsOptOut);
    }
  } else {
    return ctx.reply().Error(errors::kSyntax);
  }
  // Cleared by the dispatcher after the next command (or transaction) that is not CLIENT's.
  c.tracking_flags |= kTrackingCaching;
  ctx.reply().Ok();
}

// -1 when tracking is off, else the redirect id (0: none).
int64_t RedirectOf(const Client& c) {
  return (c.flags & kClientTracking) ? int64_t(c.tracking_redirect) : -1;
}

// CLIENT GETREDIR
void ClientGetRedir(CommandContext& ctx) { ctx.reply().Integer(RedirectOf(ctx.client())); }

// CLIENT TRACKINGINFO
void ClientTrackingInfo(CommandContext& ctx) {
  const Client& c = ctx.client();
  uint8_t f = c.tracking_flags;
  std::vector<std::string_view> flags;
  flags.push_back((c.flags & kClientTracking) ? "on" : "off");
  if (f & kTrackingBcast) flags.push_back("bcast");
  if (f & kTrackingOptIn) {
    flags.push_back("optin");
    if (f & kTrackingCaching) flags.push_back("caching-yes");
  }
  if (f & kTrackingOptOut) {
    flags.push_back("optout");
    if (f & kTrackingCaching) flags.push_back("caching-no");
  }
  if (f & kTrackingNoLoop) flags.push_back("noloop");
  if (f & kTrackingBrokenRedir) flags.push_back("broken_redirect");

  ReplyBuilder& r = ctx.reply();
  r.MapHeader(3);
  r.Bulk("flags");
  r.SetHeader(flags.size());
  for (std::string_view s : flags) r.Bulk(s);
  r.Bulk("redirect");
  r.Integer(RedirectOf(c));
  r.Bulk("prefixes");
  std::vector<std::string_view> prefixes = ctx.server().tracking().PrefixesOf(c);
  r.ArrayHeader(prefixes.size());
  for (std::string_view p : prefixes) r.Bulk(p);
}

}  // namespace

void RegisterTrackingFamily(CommandTable& t) {
  CommandSpec* client = const_cast<CommandSpec*>(t.Find("client"));
  constexpr uint64_t kFlags = kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint64_t kAcl = kAclSlow | kAclConnection;
  auto sub = [&](std::string_view name, int arity, std::string_view since, std::string_view summary,
                 std::string_view complexity, std::string_view syntax, CommandHandler h) {
    t.AddSub(client, {.name = std::string(name),
                      .arity = arity,
                      .flags = kFlags,
                      .acl = kAcl,
                      .since = since,
                      .summary = summary,
                      .complexity = complexity,
                      .syntax = syntax,
                      .handler = h});
  };
  sub("tracking", -3, "6.0.0", "Turns client-side caching invalidations on or off.",
      "O(1). Some options may introduce additional complexity.",
      "(ON | OFF) [REDIRECT client-id:integer] [PREFIX prefix [PREFIX prefix ...]] [BCAST] "
      "[OPTIN] [OPTOUT] [NOLOOP]",
      ClientTracking);
  sub("caching", 3, "6.0.0",
      "In OPTIN / OPTOUT tracking mode, says whether the next command's keys are tracked.", "O(1)",
      "YES | NO", ClientCaching);
  sub("getredir", 2, "6.0.0", "Returns the client id tracking invalidations are redirected to.",
      "O(1)", "", ClientGetRedir);
  sub("trackinginfo", 2, "6.2.0", "Describes the connection's client-side caching setup.", "O(1)",
      "", ClientTrackingInfo);
}

}  // namespace ember
