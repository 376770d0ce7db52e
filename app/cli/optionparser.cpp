#include "optionparser.h"

namespace eventium::cli {

void OptionParser::addFlag(const QString &name)
{
    m_specs.insert(name, Spec {false, false});
}

void OptionParser::addOption(const QString &name, bool repeatable)
{
    m_specs.insert(name, Spec {true, repeatable});
}

void OptionParser::addShortName(QChar letter, const QString &name)
{
    m_shortNames.insert(letter, name);
}

QString OptionParser::value(const QString &name) const
{
    const QStringList v = m_values.value(name);
    return v.isEmpty() ? QString() : v.last();
}

QString OptionParser::parse(const QStringList &args)
{
    bool optionsEnded = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        const bool isOption
            = !optionsEnded && arg.startsWith(QLatin1Char('-')) && arg != QLatin1String("-");
        if (!isOption) {
            if (m_stopAtPositional) {
                m_remaining = args.mid(i);
                return {};
            }
            m_positionals << arg;
            continue;
        }
        if (arg == QLatin1String("--")) {
            optionsEnded = true;
            continue;
        }
        if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
            m_help = true;
            continue;
        }
        QString name;
        if (!arg.startsWith(QLatin1String("--"))) {
            const auto shortName = m_shortNames.constFind(arg.size() == 2 ? arg.at(1) : QChar());
            if (shortName == m_shortNames.constEnd())
                return QStringLiteral("unknown option %1").arg(arg);
            name = *shortName;
        } else {
            name = arg.mid(2);
        }
        QString value;
        bool hasInlineValue = false;
        if (const qsizetype eq = name.indexOf(QLatin1Char('=')); eq >= 0) {
            value = name.mid(eq + 1);
            name.truncate(eq);
            hasInlineValue = true;
        }
        const auto spec = m_specs.constFind(name);
        if (spec == m_specs.constEnd())
            return QStringLiteral("unknown option --%1").arg(name);
        if (!spec->takesValue) {
            if (hasInlineValue)
                return QStringLiteral("option --%1 takes no value").arg(name);
            m_values[name] = QStringList {QStringLiteral("")};
            continue;
        }
        if (!hasInlineValue) {
            if (i + 1 >= args.size())
                return QStringLiteral("option --%1 needs a value").arg(name);
            value = args.at(++i);
        }
        QStringList &list = m_values[name];
        if (!spec->repeatable)
            list.clear();
        list << value;
    }
    return {};
}

} // namespace eventium::cli
