#pragma once

#include "command.h"

#include <QString>

#include <span>

namespace eventium::cli {

// The --help texts: the overview listing the commands, and one page per command.
class HelpText
{
public:
    static QString overview(std::span<const Command> commands);
    static QString command(const Command &command);
};

} // namespace eventium::cli
