#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

namespace eventium::cli {

// A small GNU-style option parser for one command: "--name value", "--name=value", flags,
// repeatable options, "--" to end options and "-" as a positional (stdin), short names
// ("-o FILE") where a command gives them. -h and --help are always known.
class OptionParser
{
public:
    void addFlag(const QString &name);
    void addOption(const QString &name, bool repeatable = false);
    // `-letter` means --name (an option or flag added before).
    void addShortName(QChar letter, const QString &name);
    // Stop at the first positional and keep it and everything after in remaining()
    // (for the global options in front of a command).
    void setStopAtPositional(bool stop) { m_stopAtPositional = stop; }

    // Empty when the arguments were understood, otherwise why not.
    QString parse(const QStringList &args);

    bool isSet(const QString &name) const { return m_values.contains(name); }
    QString value(const QString &name) const;
    QStringList values(const QString &name) const { return m_values.value(name); }
    const QStringList &positionals() const { return m_positionals; }
    const QStringList &remaining() const { return m_remaining; }
    bool helpRequested() const { return m_help; }

private:
    struct Spec
    {
        bool takesValue = false;
        bool repeatable = false;
    };
    QHash<QString, Spec> m_specs;
    QHash<QChar, QString> m_shortNames;
    QHash<QString, QStringList> m_values;
    QStringList m_positionals;
    QStringList m_remaining;
    bool m_stopAtPositional = false;
    bool m_help = false;
};

} // namespace eventium::cli
