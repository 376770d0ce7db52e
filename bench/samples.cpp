#include "samples.h"

#include "statistics.h"

namespace bench {

QList<double> Samples::values(Variant variant) const
{
    const auto it = m_values.find(variant);
    return it == m_values.end() ? QList<double>() : it->second;
}

int Samples::missing(Variant variant) const
{
    const auto it = m_missing.find(variant);
    return it == m_missing.end() ? 0 : it->second;
}

qint64 Samples::events(Variant variant) const
{
    const auto it = m_events.find(variant);
    return it == m_events.end() ? 0 : it->second;
}

ScenarioResult Samples::medians(const QString &name, const QString &unit) const
{
    ScenarioResult result;
    result.name = name;
    result.unit = unit;
    const auto medianOf = [this](Variant variant) -> std::optional<double> {
        if (!m_values.contains(variant))
            return std::nullopt;
        return median(values(variant));
    };
    result.ours = medianOf(Variant::Ours);
    result.raw = medianOf(Variant::Raw);
    result.lock = medianOf(Variant::Lock);
    result.peer = medianOf(Variant::Peer);
    return result;
}

} // namespace bench
