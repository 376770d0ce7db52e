#pragma once

#include <QString>
#include <QStringList>

namespace eventium::cli {

// The --help texts: the overview and one page per command.
class HelpText
{
public:
    static QString overview();
    // Empty for an unknown command.
    static QString command(const QString &name);
    static QStringList commands();
};

} // namespace eventium::cli
