// Formatted error texts (the constant ones are in errors.h).
#include "server/errors.h"

#include <algorithm>

namespace ember::errors {

std::string UnknownCommand(std::string_view name, const std::string_view* args, size_t nargs) {
  std::string msg = "ERR unknown command '";
  msg.append(name.substr(0, 128));
  msg.append("', with args beginning with: ");
  std::string list;  // like Redis, stops once the quoted list reaches 128 bytes
  for (size_t i = 0; i < nargs && list.size() < 128; i++) {
    size_t room = 128 - list.size();
    list.push_back('\'');
    list.append(args[i].substr(0, room));
    list.append("' ");
  }
  msg.append(list);
  std::replace(msg.begin(), msg.end(), '\r', ' ');
  std::replace(msg.begin(), msg.end(), '\n', ' ');
  return msg;
}

std::string UnknownSubcommand(std::string_view sub, std::string_view cmd) {
  std::string upper(cmd);
  for (char& c : upper)
    if (c >= 'a' && c <= 'z') c = char(c - 32);
  return "ERR unknown subcommand '" + std::string(sub.substr(0, 128)) + "'. Try " + upper +
         " HELP.";
}

std::string WrongArity(std::string_view cmd) {
  return "ERR wrong number of arguments for '" + std::string(cmd) + "' command";
}

std::string ProtoExpectedDollar(char got) {
  return std::string("ERR Protocol error: expected '$', got '") + got + "'";
}

std::string InvalidExpireTime(std::string_view cmd) {
  return "ERR invalid expire time in '" + std::string(cmd) + "' command";
}

}  // namespace ember::errors
